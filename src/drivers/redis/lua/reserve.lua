-- Reserve up to N due jobs of one queue: expired leases and due delayed jobs count as due.
-- The jobs' moves go out as one variadic command per key for all of them, not one per job.
-- KEYS: 1 ready, 2 reserved, 3 payload, 4 state, 5 stats, 6 events, 7 waiting
-- ARGV: 1 worker id, 2 lease ms, 3 limit (at most 1000: the driver asks again for more), 4 token,
--       5 emit events (1/0; 0 on Cluster, the driver appends them), 6 events maxlen, 7 queue name
-- Returns {taken, next due ms or -1, paused 1/0, reservedAt, leaseUntil}; taken lists five values
-- per job, flat: id, payload, attempts, exceptions, lockWaits (a table per job cost a fifth of the
-- script's time, and the client a nested array to decode each). The two times are the same for
-- every job of a call: sent once, the client decodes two numbers a call instead of two a job.
--@include common
local now = now_ms()
if redis.call('HGET', KEYS[5], 'paused') == '1' then return { {}, -1, 1, now, now } end
local limit = tonumber(ARGV[3])
local lease_until = now + tonumber(ARGV[2])
-- A lease that ran out makes its job due again, at once.
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 100)
if #expired > 0 then
  local due = {}
  for _, id in ipairs(expired) do
    due[#due + 1] = 0
    due[#due + 1] = id
  end
  redis.call('ZREM', KEYS[2], unpack(expired))
  redis.call('ZADD', KEYS[1], unpack(due))
end
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, limit)
local taken = {}
if #ids > 0 then
  local leases, states = {}, {}
  for _, id in ipairs(ids) do
    leases[#leases + 1] = lease_until
    leases[#leases + 1] = id
  end
  redis.call('ZREM', KEYS[1], unpack(ids))
  redis.call('ZADD', KEYS[2], unpack(leases))
  local raw_states = redis.call('HMGET', KEYS[4], unpack(ids))
  local payloads = redis.call('HMGET', KEYS[3], unpack(ids))
  local listed = {} -- the jobs' entries of a shared processing event
  local held_back = {} -- jobs a lock, throttle or rate limit had put back (their state says on what)
  -- The events' JSON is put together here: a table per event for cjson cost more than the XADD.
  local event_head = '{"name":"job.processing","queue":' .. cjson.encode(ARGV[7]) .. ',"jobId":'
  local event_tail = ',"workerId":' .. cjson.encode(ARGV[1]) .. '}'
  -- A fresh job's next state is the same for every one of them: made once, no state parsed (that
  -- and writing it back were two fifths of the script's time for a queue of fresh jobs).
  local first_state = '1\t0\t0\t' .. ARGV[4] .. '\t' .. ARGV[1] .. '\t' .. now .. '\t\t'
  for n, id in ipairs(ids) do
    local raw, attempts, exceptions, lock_waits = raw_states[n], 1, 0, 0
    states[#states + 1] = id
    if raw == FRESH_STATE then
      states[#states + 1] = first_state
    else
      local s = parse_state(raw)
      if s.waiting ~= '' then held_back[#held_back + 1] = id end
      s.attempts = s.attempts + 1
      s.token = ARGV[4]
      s.worker = ARGV[1]
      s.reservedAt = tostring(now)
      s.waiting = ''
      states[#states + 1] = state_string(s)
      attempts, exceptions, lock_waits = s.attempts, s.exceptions, s.lockWaits
    end
    local payload = payloads[n]
    local t = #taken
    taken[t + 1], taken[t + 2], taken[t + 3], taken[t + 4], taken[t + 5] = id, payload, attempts, exceptions, lock_waits
    if ARGV[5] == '1' then
      if #ids == 1 then
        append_event(KEYS[6], event_head .. cjson.encode(id) .. ',"jobName":' .. job_name_json(payload) .. ',"attempt":' .. attempts .. event_tail)
      else
        listed[#listed + 1] = '[' .. cjson.encode(id) .. ',' .. job_name_json(payload) .. ',' .. attempts .. ']'
      end
    end
  end
  if ARGV[5] == '1' then
    -- Several jobs' processing events share one entry (shared-events.ts): an entry per job was a
    -- quarter of a reserve's server time.
    if #listed > 0 then
      append_event(KEYS[6], '{"name":"job.processing","queue":' .. cjson.encode(ARGV[7]) .. ',"workerId":'
        .. cjson.encode(ARGV[1]) .. ',"jobs":[' .. table.concat(listed, ',') .. ']}')
    end
    trim_events(KEYS[6], ARGV[6])
  end
  redis.call('HSET', KEYS[4], unpack(states))
  if #held_back > 0 then redis.call('SREM', KEYS[7], unpack(held_back)) end
end
-- Next due time when this call could not fill its limit: the reserves that got nothing of a shared
-- call (see the driver's take) wait no longer than that.
local next_due = -1
if #taken < limit * 5 then
  local r = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  local l = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
  if r[2] then next_due = tonumber(r[2]) end
  if l[2] and (next_due == -1 or tonumber(l[2]) < next_due) then next_due = tonumber(l[2]) end
end
return { taken, next_due, 0, now, lease_until }
