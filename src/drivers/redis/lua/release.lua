-- Put a reserved job back, due after a delay. kind: release | exception | lockWait. Token-checked.
-- KEYS: 1 reserved, 2 ready, 3 state, 4 history, 5 notify, 6 events, 7 waiting
-- ARGV: 1 id, 2 token, 3 delay ms, 4 kind, 5 attempt JSON or '', 6 events JSON, 7 events maxlen (0: none),
--       8 waiting-on key or '', 9 wake channel or '' (Cluster)
--@include common
local s = read_state(KEYS[3], ARGV[1])
if not s or s.token ~= ARGV[2] or not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
local now = now_ms()
if ARGV[4] == 'exception' then s.exceptions = s.exceptions + 1 end
if ARGV[4] == 'lockWait' then
  s.attempts = math.max(0, s.attempts - 1)
  s.lockWaits = s.lockWaits + 1
end
s.token, s.worker, s.reservedAt = '', '', ''
s.waiting = ARGV[8]
write_state(KEYS[3], ARGV[1], s)
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[3]), ARGV[1])
append_history(KEYS[4], ARGV[1], ARGV[5])
if ARGV[8] ~= '' then redis.call('SADD', KEYS[7], ARGV[1]) end
if tonumber(ARGV[3]) == 0 then wake(KEYS[5], ARGV[9], 1) end
add_events(KEYS[6], ARGV[7], ARGV[6])
return 1
