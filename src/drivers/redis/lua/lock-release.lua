-- Release a lock only for its owner. KEYS: 1 locks hash. ARGV: 1 key, 2 owner
local held = redis.call('HGET', KEYS[1], ARGV[1])
if not held then return 0 end
if cjson.decode(held).owner ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
return 1
