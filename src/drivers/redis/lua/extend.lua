-- Renew the lease of a running job. Token-checked.
-- KEYS: 1 reserved, 2 state
-- ARGV: 1 id, 2 token, 3 lease ms
--@include common
local s = read_state(KEYS[2], ARGV[1])
if not s or s.token ~= ARGV[2] or not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now_ms() + tonumber(ARGV[3]), ARGV[1])
return 1
