-- Reserve up to N due jobs of one queue: expired leases and due delayed jobs count as due.
-- KEYS: 1 ready, 2 reserved, 3 payload, 4 state, 5 stats, 6 events, 7 waiting
-- ARGV: 1 worker id, 2 lease ms, 3 limit, 4 token, 5 emit events (1/0; 0 on Cluster, the driver appends them), 6 events maxlen, 7 queue name
-- Returns {taken list, next due ms or -1, paused 1/0}; each taken: {id, payload, attempts, exceptions, lockWaits, reservedAt, leaseUntil}
--@include common
local now = now_ms()
if redis.call('HGET', KEYS[5], 'paused') == '1' then return { {}, -1, 1 } end
local lease_until = now + tonumber(ARGV[2])
-- A lease that ran out makes its job due again, at once.
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 100)
for _, id in ipairs(expired) do
  redis.call('ZREM', KEYS[2], id)
  redis.call('ZADD', KEYS[1], 0, id)
end
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[3]))
local taken = {}
for _, id in ipairs(ids) do
  redis.call('ZREM', KEYS[1], id)
  redis.call('SREM', KEYS[7], id)
  redis.call('ZADD', KEYS[2], lease_until, id)
  local s = read_state(KEYS[4], id)
  s.attempts = s.attempts + 1
  s.token = ARGV[4]
  s.worker = ARGV[1]
  s.reservedAt = tostring(now)
  s.waiting = ''
  write_state(KEYS[4], id, s)
  local payload = redis.call('HGET', KEYS[3], id)
  taken[#taken + 1] = { id, payload, s.attempts, s.exceptions, s.lockWaits, now, lease_until }
  if ARGV[5] == '1' then
    -- An undecodable payload must not stop the queue: the worker fails that job with its reason.
    local ok, env = pcall(cjson.decode, payload)
    local job_name = (ok and type(env) == 'table' and type(env.name) == 'string') and env.name or '(undecodable)'
    local event = { name = 'job.processing', queue = ARGV[7], jobId = id, jobName = job_name, attempt = s.attempts, workerId = ARGV[1] }
    redis.call('XADD', KEYS[6], 'MAXLEN', '~', ARGV[6], '*', 'e', cjson.encode(event), 't', now)
  end
end
-- Next due time when this call could not fill its limit: the reserves that got nothing of a shared
-- call (see the driver's take) wait no longer than that.
local next_due = -1
if #taken < tonumber(ARGV[3]) then
  local r = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  local l = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
  if r[2] then next_due = tonumber(r[2]) end
  if l[2] and (next_due == -1 or tonumber(l[2]) < next_due) then next_due = tonumber(l[2]) end
end
return { taken, next_due, 0 }
