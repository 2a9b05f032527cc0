-- Move a reserved job to the failed store (same id), count it failed, free its unique key. Token-checked.
-- The stored payload, error and history move as they are (no JSON re-encoding).
-- KEYS: 1 reserved, 2 payload, 3 state, 4 history, 5 failed, 6 failedPayload, 7 stats, 8 unique, 9 events,
--       10 failedMeta, 11 failedError, 12 failedHistory
-- ARGV: 1 id, 2 token, 3 error JSON, 4 attempt JSON or '', 5 events JSON, 6 events maxlen (0: none)
--@include common
local id = ARGV[1]
local s = read_state(KEYS[3], id)
if not s or s.token ~= ARGV[2] or not redis.call('ZSCORE', KEYS[1], id) then return 0 end
local now = now_ms()
append_history(KEYS[4], id, ARGV[4])
redis.call('HSET', KEYS[6], id, redis.call('HGET', KEYS[2], id))
redis.call('HSET', KEYS[10], id, table.concat({ s.attempts, s.exceptions, s.lockWaits, now, s.unique or '' }, '\t'))
redis.call('HSET', KEYS[11], id, ARGV[3])
local history = redis.call('HGET', KEYS[4], id)
if history then redis.call('HSET', KEYS[12], id, history) end
redis.call('ZADD', KEYS[5], now, id)
redis.call('ZREM', KEYS[1], id)
redis.call('HDEL', KEYS[2], id)
redis.call('HDEL', KEYS[3], id)
redis.call('HDEL', KEYS[4], id)
redis.call('HINCRBY', KEYS[7], 'failed', 1)
if s.unique ~= '' then
  local held = redis.call('HGET', KEYS[8], s.unique)
  if held and split(held)[1] == id then redis.call('HDEL', KEYS[8], s.unique) end
end
add_events(KEYS[9], ARGV[6], ARGV[5])
return 1
