-- Acknowledge success of one or more jobs of one queue (the driver coalesces the acknowledgements
-- issued in the same tick): remove each job, count it processed, free its unique key. Token-checked
-- per job; a job whose token no longer matches is left as it is and reported 0. The reads and the
-- removals go out as one variadic command per key for all the jobs.
-- KEYS: 1 reserved, 2 payload, 3 state, 4 history, 5 stats, 6 unique, 7 events
-- ARGV: 1 events maxlen (0: none), 2 shared head ('' or the start of a shared job.processed entry,
--       {"name":"job.processed","queue":…,"workerId":…,"jobs":[ ), then per job: id, token, number
--       of events n, n encoded events (at most 500 jobs a call). With a shared head each job
--       carries one event, its entry in that list ([id, name, attempt, durationMs, details]): the
--       completed jobs' entries go out as one stream entry (shared-events.ts), not one per job.
-- Returns the positions (1-based) of the jobs whose lease no longer held, which were left as they
-- were; an empty reply when every job was acknowledged.
--@include common
local maxlen = tonumber(ARGV[1])
local shared_head = ARGV[2]
local listed = {}
local ids, tokens, firsts, counts = {}, {}, {}, {}
local i = 3
while i <= #ARGV do
  ids[#ids + 1], tokens[#ids + 1] = ARGV[i], ARGV[i + 1]
  counts[#ids] = tonumber(ARGV[i + 2])
  firsts[#ids] = i + 3
  i = i + 3 + counts[#ids]
end
if #ids == 0 then return {} end
local states = redis.call('HMGET', KEYS[3], unpack(ids))
local leases = redis.call('ZMSCORE', KEYS[1], unpack(ids))
local lapsed, done, seen = {}, {}, {}
local appended = false
for n, id in ipairs(ids) do
  local token, unique = state_token_and_unique(states[n])
  if token and token == tokens[n] and leases[n] and not seen[id] then
    seen[id] = true
    done[#done + 1] = id
    if unique ~= '' then
      local held = redis.call('HGET', KEYS[6], unique)
      if held and split(held)[1] == id then redis.call('HDEL', KEYS[6], unique) end
    end
    if maxlen > 0 and counts[n] > 0 then
      appended = true
      if shared_head ~= '' then
        listed[#listed + 1] = ARGV[firsts[n]]
      else
        for e = firsts[n], firsts[n] + counts[n] - 1 do append_event(KEYS[7], ARGV[e]) end
      end
    end
  else
    lapsed[#lapsed + 1] = n
  end
end
if #done > 0 then
  redis.call('ZREM', KEYS[1], unpack(done))
  redis.call('HDEL', KEYS[2], unpack(done))
  redis.call('HDEL', KEYS[3], unpack(done))
  redis.call('HDEL', KEYS[4], unpack(done))
  redis.call('HINCRBY', KEYS[5], 'processed', #done)
end
if #listed > 0 then append_event(KEYS[7], shared_head .. table.concat(listed, ',') .. ']}') end
if appended then trim_events(KEYS[7], maxlen) end
return lapsed
