-- Push envelopes of one queue, all or none; unique keys and idempotency keys are checked and claimed here.
-- KEYS: 1 ready, 2 payload, 3 state, 4 unique, 5 idempotency, 6 notify, 7 events, 8 failedJobs, 9 queues set
-- ARGV: 1 JSON [[id, availableAt, payloadJson, uniqueKey|'', uniqueTtlMs|-1, idempotencyKey|'']...],
--       2 idempotency ttl ms, 3 events JSON (per job id: {id: [events]}), 4 events maxlen, 5 queue name
--@include common
local now = now_ms()
local jobs = cjson.decode(ARGV[1])
for _, j in ipairs(jobs) do
  if redis.call('HEXISTS', KEYS[2], j[1]) == 1 or redis.call('HEXISTS', KEYS[8], j[1]) == 1 then
    return redis.error_reply('DUPLICATE job id ' .. j[1] .. ' already exists')
  end
end
local events = cjson.decode(ARGV[3])
local results = {}
local stored = 0
for _, j in ipairs(jobs) do
  local id, available, payload, ukey, uttl, ikey = j[1], tonumber(j[2]), j[3], j[4], tonumber(j[5]), j[6]
  local done = false
  if ikey ~= '' then
    local seen = redis.call('HGET', KEYS[5], ikey)
    if seen then
      local f = split(seen)
      if tonumber(f[2]) > now then
        results[#results + 1] = { id, 'existing', ikey, f[1] }
        done = true
      end
    end
  end
  if not done and ukey ~= '' then
    local held = redis.call('HGET', KEYS[4], ukey)
    if held then
      local f = split(held)
      if f[2] == '' or tonumber(f[2]) > now then
        results[#results + 1] = { id, 'duplicate', ukey, f[1] }
        done = true
      end
    end
    if not done then
      redis.call('HSET', KEYS[4], ukey, id .. '\t' .. (uttl >= 0 and tostring(now + uttl) or ''))
    end
  end
  if not done then
    if ikey ~= '' then redis.call('HSET', KEYS[5], ikey, id .. '\t' .. tostring(now + tonumber(ARGV[2]))) end
    redis.call('HSET', KEYS[2], id, payload)
    write_state(KEYS[3], id, { attempts = 0, exceptions = 0, lockWaits = 0, unique = (ukey ~= '' and ukey or '') })
    redis.call('ZADD', KEYS[1], available, id)
    if events[id] then add_events(KEYS[7], ARGV[4], cjson.encode(events[id]), now) end
    stored = stored + 1
    results[#results + 1] = { id, 'queued' }
  end
end
if stored > 0 then
  redis.call('SADD', KEYS[9], ARGV[5])
  for _ = 1, math.min(stored, 32) do redis.call('LPUSH', KEYS[6], '1') end
  redis.call('LTRIM', KEYS[6], 0, 255)
end
return cjson.encode(results)
