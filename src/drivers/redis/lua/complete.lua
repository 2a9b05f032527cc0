-- Acknowledge success of one or more jobs of one queue (the driver coalesces the acknowledgements
-- issued in the same tick): remove each job, count it processed, free its unique key. Token-checked
-- per job; a job whose token no longer matches is left as it is and reported 0.
-- KEYS: 1 reserved, 2 payload, 3 state, 4 history, 5 stats, 6 unique, 7 events
-- ARGV: 1 events maxlen (0: none), then per job: id, token, number of events n, n encoded events
-- Returns one 1/0 per job, in order.
--@include common
local maxlen = tonumber(ARGV[1])
local results = {}
local done = 0
local now
local i = 2
while i <= #ARGV do
  local id, token, n = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2])
  local first = i + 3
  i = first + n
  local s = read_state(KEYS[3], id)
  if not s or s.token ~= token or not redis.call('ZSCORE', KEYS[1], id) then
    results[#results + 1] = 0
  else
    redis.call('ZREM', KEYS[1], id)
    redis.call('HDEL', KEYS[2], id)
    redis.call('HDEL', KEYS[3], id)
    redis.call('HDEL', KEYS[4], id)
    if s.unique ~= '' then
      local held = redis.call('HGET', KEYS[6], s.unique)
      if held and split(held)[1] == id then redis.call('HDEL', KEYS[6], s.unique) end
    end
    if maxlen > 0 and n > 0 then
      now = now or now_ms()
      for e = first, i - 1 do
        redis.call('XADD', KEYS[7], 'MAXLEN', '~', maxlen, '*', 'e', ARGV[e], 't', now)
      end
    end
    done = done + 1
    results[#results + 1] = 1
  end
end
if done > 0 then redis.call('HINCRBY', KEYS[5], 'processed', done) end
return results
