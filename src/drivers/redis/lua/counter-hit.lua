-- Fixed-window counter with an optional limit. KEYS: 1 counters hash, 2 counters expiry index. ARGV: 1 key, 2 decay ms, 3 limit or -1, 4 meta JSON or ''
--@include common
local now = now_ms()
local raw = redis.call('HGET', KEYS[1], ARGV[1])
local c = raw and cjson.decode(raw) or nil
if not c or c.expiresAt <= now then
  c = { count = 0, startedAt = now, expiresAt = now + tonumber(ARGV[2]), meta = ARGV[4] ~= '' and cjson.decode(ARGV[4]) or cjson.null }
end
local allowed = 1
if tonumber(ARGV[3]) >= 0 and c.count >= tonumber(ARGV[3]) then
  allowed = 0
else
  c.count = c.count + 1
end
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(c))
redis.call('ZADD', KEYS[2], c.expiresAt, ARGV[1])
prune_expired(KEYS[1], KEYS[2], now, function(field) return field == ARGV[1] end)
return { cjson.encode(c), allowed }
