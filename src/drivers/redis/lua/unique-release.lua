-- Free a unique key held by owner. KEYS: 1 unique hash. ARGV: 1 key, 2 owner
--@include common
local held = redis.call('HGET', KEYS[1], ARGV[1])
if not held then return 0 end
local f = split(held)
if f[1] ~= ARGV[2] then return 0 end
if f[2] ~= '' and tonumber(f[2]) <= now_ms() then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
return 1
