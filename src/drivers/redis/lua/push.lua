-- Push envelopes into one or more queues, all or none; unique and idempotency keys are checked and
-- claimed here. On a single server one call carries every queue of a push; on a Cluster, one queue
-- (each queue is its own slot), with KEYS 1-2 as same-slot stand-ins that are never written.
-- KEYS: 1 events stream, 2 queues set, then 8 per queue (q = 0, 1, ...; k = 2 + 8q):
--       k+1 ready, k+2 payload, k+3 state, k+4 unique, k+5 idempotency, k+6 notify, k+7 failedJobs,
--       k+8 idempotency expiry index
-- ARGV: 1 JSON [[queue index (1-based), id, availableAt, payloadJson, uniqueKey|'', uniqueTtlMs|-1, idempotencyKey|'']...],
--       2 idempotency ttl ms, 3 events JSON (per job id: {id: [encoded events]}), 4 events maxlen (0: none),
--       5 JSON queue names (by index), 6 register queue names in KEYS[2] (1/0), 7 JSON wake channels by index or ''
-- Returns JSON [[id, 'queued'] | [id, 'duplicate', uniqueKey, holder] | [id, 'existing', idempotencyKey, firstId]...]
--@include common
local now = now_ms()
local jobs = cjson.decode(ARGV[1])
local function key(q, n) return KEYS[2 + (q - 1) * 8 + n] end
for _, j in ipairs(jobs) do
  if redis.call('HEXISTS', key(j[1], 2), j[2]) == 1 or redis.call('HEXISTS', key(j[1], 7), j[2]) == 1 then
    return redis.error_reply('DUPLICATE job id ' .. j[2] .. ' already exists')
  end
end
local events = cjson.decode(ARGV[3])
local names = cjson.decode(ARGV[5])
local channels = ARGV[7] ~= '' and cjson.decode(ARGV[7]) or {}
local results = {}
local stored = {}
for _, j in ipairs(jobs) do
  local q, id, available, payload, ukey, uttl, ikey = j[1], j[2], tonumber(j[3]), j[4], j[5], tonumber(j[6]), j[7]
  local done = false
  if ikey ~= '' then
    local seen = redis.call('HGET', key(q, 5), ikey)
    if seen then
      local f = split(seen)
      if tonumber(f[2]) > now then
        results[#results + 1] = { id, 'existing', ikey, f[1] }
        done = true
      end
    end
  end
  if not done and ukey ~= '' then
    local held = redis.call('HGET', key(q, 4), ukey)
    if held then
      local f = split(held)
      if f[2] == '' or tonumber(f[2]) > now then
        results[#results + 1] = { id, 'duplicate', ukey, f[1] }
        done = true
      end
    end
    if not done then
      redis.call('HSET', key(q, 4), ukey, id .. '\t' .. (uttl >= 0 and tostring(now + uttl) or ''))
    end
  end
  if not done then
    if ikey ~= '' then
      local expires = now + tonumber(ARGV[2])
      redis.call('HSET', key(q, 5), ikey, id .. '\t' .. tostring(expires))
      redis.call('ZADD', key(q, 8), expires, ikey)
      prune_expired(key(q, 5), key(q, 8), now)
    end
    redis.call('HSET', key(q, 2), id, payload)
    write_state(key(q, 3), id, { attempts = 0, exceptions = 0, lockWaits = 0, unique = ukey })
    redis.call('ZADD', key(q, 1), available, id)
    if events[id] then add_events(KEYS[1], ARGV[4], cjson.encode(events[id]), now) end
    stored[q] = (stored[q] or 0) + 1
    results[#results + 1] = { id, 'queued' }
  end
end
for q, n in pairs(stored) do
  if ARGV[6] == '1' then redis.call('SADD', KEYS[2], names[q]) end
  wake(key(q, 6), channels[q], math.min(n, 32))
end
return cjson.encode(results)
