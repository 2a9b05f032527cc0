-- Take a lock if free or expired. KEYS: 1 locks hash, 2 lock expiry index. ARGV: 1 key, 2 owner, 3 ttl ms or -1, 4 job id, 5 worker id
--@include common
local now = now_ms()
local held = redis.call('HGET', KEYS[1], ARGV[1])
if held then
  local l = cjson.decode(held)
  if l.expiresAt == cjson.null or l.expiresAt > now then return 0 end
end
local ttl = tonumber(ARGV[3])
local lock = { owner = ARGV[2], jobId = ARGV[4], workerId = ARGV[5], acquiredAt = now, expiresAt = ttl >= 0 and (now + ttl) or cjson.null }
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(lock))
if ttl >= 0 then redis.call('ZADD', KEYS[2], now + ttl, ARGV[1]) else redis.call('ZREM', KEYS[2], ARGV[1]) end
prune_expired(KEYS[1], KEYS[2], now, function(field)
  local raw = redis.call('HGET', KEYS[1], field)
  if not raw then return false end
  local held = cjson.decode(raw)
  return held.expiresAt == cjson.null or held.expiresAt > now
end)
return 1
