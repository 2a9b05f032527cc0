-- Delete one pending, delayed or reserved job. KEYS: 1 ready, 2 reserved, 3 payload, 4 state, 5 history, 6 unique, 7 waiting. ARGV: 1 id
--@include common
if redis.call('HEXISTS', KEYS[3], ARGV[1]) == 0 then return 0 end
local s = read_state(KEYS[4], ARGV[1])
if s and s.unique ~= '' then
  local held = redis.call('HGET', KEYS[6], s.unique)
  if held and split(held)[1] == ARGV[1] then redis.call('HDEL', KEYS[6], s.unique) end
end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('SREM', KEYS[7], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
redis.call('HDEL', KEYS[5], ARGV[1])
return 1
