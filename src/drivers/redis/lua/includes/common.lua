-- Shared helpers: server clock, state strings, events.
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function split(s)
  local out = {}
  for field in string.gmatch(s .. '\t', '([^\t]*)\t') do out[#out + 1] = field end
  return out
end

-- state: attempts, exceptions, lockWaits, token, worker, reservedAt, uniqueKey, waitingOn
-- One pattern match instead of a split into a table (half the time: reserve and complete parse a
-- state per job); a state with fewer fields (written by an older version) is split.
local STATE = '^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t?([^\t]*)$'
local function parse_state(raw)
  if not raw then return nil end
  local a, e, l, token, worker, at, unique, waiting = string.match(raw, STATE)
  if not a then
    local f = split(raw)
    a, e, l, token, worker, at, unique, waiting = f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8]
  end
  return { attempts = tonumber(a), exceptions = tonumber(e), lockWaits = tonumber(l),
           token = token, worker = worker, reservedAt = at, unique = unique or '', waiting = waiting or '' }
end

-- A job's state as a push writes it (no attempt yet, nothing held): a reserve takes such a job
-- without parsing its state, and writes the same next state for all of them.
local FRESH_STATE = '0\t0\t0\t\t\t\t\t'

-- The token and unique key of a state, without a table: an acknowledgement needs only those two.
local TOKEN_AND_UNIQUE = '^[^\t]*\t[^\t]*\t[^\t]*\t([^\t]*)\t[^\t]*\t[^\t]*\t([^\t]*)'
local function state_token_and_unique(raw)
  if not raw then return nil, nil end
  local token, unique = string.match(raw, TOKEN_AND_UNIQUE)
  if token then return token, unique end
  local s = parse_state(raw)
  return s.token, s.unique
end

local function read_state(key, id)
  return parse_state(redis.call('HGET', key, id))
end

local function state_string(s)
  return s.attempts .. '\t' .. s.exceptions .. '\t' .. s.lockWaits .. '\t' .. (s.token or '') .. '\t' .. (s.worker or '')
    .. '\t' .. (s.reservedAt or '') .. '\t' .. (s.unique or '') .. '\t' .. (s.waiting or '')
end

local function write_state(key, id, s)
  redis.call('HSET', key, id, state_string(s))
end

-- Event entries are appended untrimmed and a step trims the stream once, after its last one: the
-- MAXLEN check costs a quarter of an XADD, and a step of 50 jobs writes 50 events (measured 4.6
-- against 3.4 us an event). The stream overshoots its length by at most one step's events.
-- An entry's time is its id's (the server's clock when it was appended): a field of its own for
-- it cost 0.2-0.7 us an event, up to an eighth of a bulk push's server time.
local function append_event(stream, event_json)
  redis.call('XADD', stream, '*', 'e', event_json)
end

-- A job's name as a JSON string, for events put together in a script: the envelope's second field
-- (how qtool writes payloads; the match holds no quote or backslash, so it goes into the JSON as
-- it is), else decoded; an undecodable payload must not stop the queue (the worker fails that job
-- with its reason).
local function job_name_json(payload)
  local name = type(payload) == 'string' and string.match(payload, '^{"id":"[^"\\]*","name":"([^"\\]*)"')
  if name then return '"' .. name .. '"' end
  local ok, env = pcall(cjson.decode, payload)
  return cjson.encode((ok and type(env) == 'table' and type(env.name) == 'string') and env.name or '(undecodable)')
end

local function trim_events(stream, maxlen)
  redis.call('XTRIM', stream, 'MAXLEN', '~', maxlen)
end

-- Events arrive as a JSON list of already-encoded events (never re-encoded here: cjson would turn
-- empty arrays into objects). maxlen 0: no stream in this slot (Redis Cluster), the driver appends
-- the events itself after the step.
local function add_events(stream, maxlen, events_json)
  if tonumber(maxlen) == 0 then return end
  if events_json == nil or events_json == '' or events_json == '[]' then return end
  for _, e in ipairs(cjson.decode(events_json)) do append_event(stream, e) end
  trim_events(stream, maxlen)
end

local function append_history(key, id, attempt_json)
  if attempt_json == nil or attempt_json == '' then return end
  local raw = redis.call('HGET', key, id)
  local list = raw and cjson.decode(raw) or {}
  list[#list + 1] = cjson.decode(attempt_json)
  while #list > 20 do table.remove(list, 1) end
  redis.call('HSET', key, id, cjson.encode(list))
end

-- Wake blocked reserves: n tokens on the notify list (single server, BLPOP), or a PUBLISH on the
-- queue's channel when one is given (Cluster: BLPOP cannot span slots, Pub/Sub reaches every node).
local function wake(list, channel, n)
  if channel ~= nil and channel ~= '' then
    redis.call('PUBLISH', channel, '1')
    return
  end
  -- At most 256 tokens wait on the list: checking the length is cheaper than trimming after.
  local room = math.min(n, 256 - redis.call('LLEN', list))
  if room <= 0 then return end
  local tokens = {}
  for k = 1, room do tokens[k] = '1' end
  redis.call('LPUSH', list, unpack(tokens))
end

-- Drop up to 20 entries of a hash whose expiry index (a zset scored by expiry ms) says they lapsed;
-- called by the step that writes the hash, so expired entries never pile up. `still_live(field)`
-- may veto one whose hash value was renewed without the index (defensive).
local function prune_expired(hash, index, now, still_live)
  local lapsed = redis.call('ZRANGEBYSCORE', index, '-inf', now, 'LIMIT', 0, 20)
  for _, field in ipairs(lapsed) do
    redis.call('ZREM', index, field)
    if not (still_live and still_live(field)) then redis.call('HDEL', hash, field) end
  end
end
