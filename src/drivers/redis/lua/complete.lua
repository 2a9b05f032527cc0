-- Acknowledge success: remove the job, count it processed, free its unique key. Token-checked.
-- KEYS: 1 reserved, 2 payload, 3 state, 4 history, 5 stats, 6 unique, 7 events
-- ARGV: 1 id, 2 token, 3 events JSON, 4 events maxlen (0: none)
--@include common
local s = read_state(KEYS[3], ARGV[1])
if not s or s.token ~= ARGV[2] or not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
local now = now_ms()
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
redis.call('HINCRBY', KEYS[5], 'processed', 1)
if s.unique ~= '' then
  local held = redis.call('HGET', KEYS[6], s.unique)
  if held and split(held)[1] == ARGV[1] then redis.call('HDEL', KEYS[6], s.unique) end
end
add_events(KEYS[7], ARGV[4], ARGV[3], now)
return 1
