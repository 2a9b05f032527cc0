-- Push failed jobs of one queue back with counters reset and the same ids. ARGV[1]: JSON list of ids, or '' for the oldest N.
-- KEYS: 1 failed, 2 failedPayload, 3 ready, 4 payload, 5 state, 6 history, 7 notify, 8 events, 9 failedMeta, 10 failedError, 11 failedHistory
-- ARGV: 1 ids JSON or '', 2 limit, 3 events maxlen (0: none), 4 queue name, 5 wake channel or '' (Cluster)
--@include common
local now = now_ms()
local ids
if ARGV[1] ~= '' then ids = cjson.decode(ARGV[1]) else ids = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[2]) - 1) end
local done = {}
for _, id in ipairs(ids) do
  local payload = redis.call('HGET', KEYS[2], id)
  if payload then
    local meta = split(redis.call('HGET', KEYS[9], id) or '')
    redis.call('HSET', KEYS[4], id, payload)
    write_state(KEYS[5], id, { attempts = 0, exceptions = 0, lockWaits = 0, unique = meta[5] or '' })
    local history = redis.call('HGET', KEYS[11], id)
    if history then redis.call('HSET', KEYS[6], id, history) end
    redis.call('ZADD', KEYS[3], now, id)
    redis.call('ZREM', KEYS[1], id)
    redis.call('HDEL', KEYS[2], id)
    redis.call('HDEL', KEYS[9], id)
    redis.call('HDEL', KEYS[10], id)
    redis.call('HDEL', KEYS[11], id)
    if tonumber(ARGV[3]) > 0 then
      append_event(KEYS[8], cjson.encode({ name = 'job.retried', queue = ARGV[4], jobId = id }))
    end
    done[#done + 1] = id
  end
end
if #done > 0 and tonumber(ARGV[3]) > 0 then trim_events(KEYS[8], ARGV[3]) end
if #done > 0 then wake(KEYS[7], ARGV[5], 1) end
return done
