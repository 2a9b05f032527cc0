-- Push envelopes into one or more queues, all or none; unique and idempotency keys are checked and
-- claimed here. On a single server one call carries every queue of a push; on a Cluster, one queue
-- (each queue is its own slot), with KEYS 1-2 as same-slot stand-ins that are never written.
-- Everything arrives as plain ARGV strings (no JSON to decode), and the writes go out as one
-- variadic HSET/ZADD per queue and key per 500 jobs: a redis.call costs more than the work it does.
-- A dispatch that keeps several pushes in flight fences them: a fenced push refuses to run once an
-- earlier push of the same dispatch was refused, and a refusal marks the fence (stored jobs always
-- form a prefix of the dispatch, as when it waits for each push).
-- KEYS: 1 events stream, 2 queues set, 3 fence (a same-slot stand-in when not fenced), then 8 per
--       queue (q = 0, 1, ...; k = 3 + 8q): k+1 ready, k+2 payload, k+3 state, k+4 unique,
--       k+5 idempotency, k+6 notify, k+7 failedJobs, k+8 idempotency expiry index
-- ARGV: 1 idempotency ttl ms, 2 events maxlen (0: none), 3 register queue names in KEYS[2] (1/0),
--       4 number of queues Q, 5 fenced (1/0), 6 write each stored job's job.dispatched event: 0 no,
--       1 put together here, or the shared event's text itself, built by the client for a push of
--       plain jobs only (every one is stored or none), a NUL byte where a job is due at this
--       server's now,
--       7 number M of events of no job (the last M arguments; written whichever jobs are stored),
--       then Q queue names, then Q wake channels ('' each: notify lists),
--       then per job: queue index (1-based), id, availableAt (0: now, on this server's clock), payload JSON, uniqueKey|'', uniqueTtlMs|-1,
--       idempotencyKey|'', number of events n, n encoded events;
--       or, for a plain job (no unique or idempotency key, no events), its four first fields only,
--       with the queue index negated (a bulk push's arguments halved: each one is parsed by the
--       server and copied into ARGV),
--       then the M events of no job
-- The job.dispatched events of a push that carries no events of its own go into one stream entry,
-- {"name":"job.dispatched","queues":[...],"jobs":[[queue index, id, name, availableAt], ...]}, which
-- the driver's event reader expands into one event per job (an XADD per job was two fifths of a
-- bulk push's server time); a push that stores one job writes its event as any other.
-- Returns the jobs not stored, four values each: their position in the push (1-based), then
--       'duplicate', uniqueKey, holder | 'existing', idempotencyKey, firstId. Every other job was
--       queued (an empty reply when all were: nothing per job to build, send and decode).
--@include common
local CHUNK = 500
local FRESH_HEAD = '0\t0\t0\t\t\t\t' -- FRESH_STATE up to its unique key
local FENCE_TTL_MS = 600000
local fenced = ARGV[5] == '1'
if fenced and redis.call('EXISTS', KEYS[3]) == 1 then
  return redis.error_reply('FENCED an earlier batch of this dispatch was refused')
end
local function refuse(message)
  if fenced then redis.call('SET', KEYS[3], '1', 'PX', FENCE_TTL_MS) end
  return redis.error_reply(message)
end
local now = now_ms()
local idem_ttl, maxlen, register, nq = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4])
local jobs_end = #ARGV - tonumber(ARGV[7]) -- the last argument of the last job
local function key(q, n) return KEYS[3 + (q - 1) * 8 + n] end

-- Where each job's fields start, and its ids per queue.
local starts, ids = {}, {}
local carries_events = false
for q = 1, nq do ids[q] = {} end
local i = 8 + 2 * nq
while i <= jobs_end do
  starts[#starts + 1] = i
  local q = tonumber(ARGV[i])
  local list = ids[q < 0 and -q or q]
  list[#list + 1] = ARGV[i + 1]
  if q < 0 then
    i = i + 4
  else
    local n = tonumber(ARGV[i + 7])
    if n > 0 then carries_events = true end
    i = i + 8 + n
  end
end

-- No id may exist already, live or failed.
for q = 1, nq do
  for from = 1, #ids[q], CHUNK do
    local chunk = { unpack(ids[q], from, math.min(from + CHUNK - 1, #ids[q])) }
    for _, hash in ipairs({ key(q, 2), key(q, 7) }) do
      local found = redis.call('HMGET', hash, unpack(chunk))
      for n = 1, #chunk do
        if found[n] then return refuse('DUPLICATE job id ' .. chunk[n] .. ' already exists') end
      end
    end
  end
end

local refused = {}
local writes = {} -- per queue: payload, state and ready arguments of the stored jobs
for q = 1, nq do writes[q] = { payload = {}, state = {}, ready = {}, count = 0 } end
-- The job.dispatched events are put together here from what the push carries anyway (the client
-- sent one JSON string per job before: its encoding was a sixth of a bulk dispatch's client time).
local dispatched = ARGV[6] == '1' and maxlen > 0
-- The client's text: putting it together here was a third of a bulk push's script time (the
-- client has every piece as a string already; each job's here cost a match, an encode and nine
-- table slots).
local prebuilt = #ARGV[6] > 1 and maxlen > 0 and ARGV[6] or nil
local dispatched_head = {}
-- listed: how many stored jobs the shared event lists (see above), and its text in pieces, joined
-- once at the end instead of a string made per job (a Lua string is hashed and interned when
-- made); single: the first one's own event
local shared, listed, pieces, single = dispatched and not carries_events, 0, {}, nil
if dispatched then
  for q = 1, nq do dispatched_head[q] = '{"name":"job.dispatched","queue":' .. cjson.encode(ARGV[7 + q]) .. ',"jobId":' end
end
local function flush(q)
  local w = writes[q]
  if #w.payload == 0 then return end
  redis.call('HSET', key(q, 2), unpack(w.payload))
  redis.call('HSET', key(q, 3), unpack(w.state))
  redis.call('ZADD', key(q, 1), unpack(w.ready))
  w.payload, w.state, w.ready = {}, {}, {}
end
for position, at in ipairs(starts) do
  local q, id, available, payload = tonumber(ARGV[at]), ARGV[at + 1], ARGV[at + 2], ARGV[at + 3]
  if available == '0' then available = now end
  local ukey, uttl, ikey, n = '', -1, '', 0
  if q < 0 then q = -q else ukey, uttl, ikey, n = ARGV[at + 4], tonumber(ARGV[at + 5]), ARGV[at + 6], tonumber(ARGV[at + 7]) end
  local status, skey, other = 'queued', '', ''
  if ikey ~= '' then
    local seen = redis.call('HGET', key(q, 5), ikey)
    if seen then
      local f = split(seen)
      if tonumber(f[2]) > now then status, skey, other = 'existing', ikey, f[1] end
    end
  end
  if status == 'queued' and ukey ~= '' then
    local held = redis.call('HGET', key(q, 4), ukey)
    if held then
      local f = split(held)
      if f[2] == '' or tonumber(f[2]) > now then status, skey, other = 'duplicate', ukey, f[1] end
    end
    if status == 'queued' then
      redis.call('HSET', key(q, 4), ukey, id .. '\t' .. (uttl >= 0 and tostring(now + uttl) or ''))
    end
  end
  if status == 'queued' then
    if ikey ~= '' then
      local expires = now + idem_ttl
      redis.call('HSET', key(q, 5), ikey, id .. '\t' .. tostring(expires))
      redis.call('ZADD', key(q, 8), expires, ikey)
      prune_expired(key(q, 5), key(q, 8), now)
    end
    local w = writes[q]
    local p, s, r = w.payload, w.state, w.ready
    p[#p + 1] = id
    p[#p + 1] = payload
    s[#s + 1] = id
    s[#s + 1] = ukey == '' and FRESH_STATE or FRESH_HEAD .. ukey .. '\t' -- a fresh state (see read_state)
    r[#r + 1] = available
    r[#r + 1] = id
    w.count = w.count + 1
    if #p >= 2 * CHUNK then flush(q) end
    if maxlen > 0 then
      for e = at + 8, at + 7 + n do append_event(KEYS[1], ARGV[e]) end
    end
    if dispatched then
      local id_json, name_json = cjson.encode(id), job_name_json(payload)
      if not shared or listed == 0 then
        local own = dispatched_head[q] .. id_json .. ',"jobName":' .. name_json .. ',"details":{"availableAt":' .. available .. '}}'
        if shared then single = own else append_event(KEYS[1], own) end
      end
      if shared then
        local k = #pieces
        pieces[k + 1], pieces[k + 2], pieces[k + 3], pieces[k + 4] = listed == 0 and '[' or ',[', q, ',', id_json
        pieces[k + 5], pieces[k + 6], pieces[k + 7], pieces[k + 8], pieces[k + 9] = ',', name_json, ',', available, ']'
        listed = listed + 1
      end
    end
  end
  if status ~= 'queued' then
    refused[#refused + 1] = position
    refused[#refused + 1] = status
    refused[#refused + 1] = skey
    refused[#refused + 1] = other
  end
end
if prebuilt and #refused == 0 then
  append_event(KEYS[1], (string.gsub(prebuilt, '%z', tostring(now))))
elseif listed == 1 then
  append_event(KEYS[1], single)
elseif listed > 1 then
  local names = {}
  for q = 1, nq do names[q] = cjson.encode(ARGV[7 + q]) end
  append_event(KEYS[1], '{"name":"job.dispatched","queues":[' .. table.concat(names, ',') .. '],"jobs":['
    .. table.concat(pieces) .. ']}')
end
if maxlen > 0 then
  for e = jobs_end + 1, #ARGV do append_event(KEYS[1], ARGV[e]) end
  trim_events(KEYS[1], maxlen)
end
for q = 1, nq do
  flush(q)
  if writes[q].count > 0 then
    if register == '1' then redis.call('SADD', KEYS[2], ARGV[7 + q]) end
    wake(key(q, 6), ARGV[7 + nq + q], math.min(writes[q].count, 32))
  end
end
return refused
