-- Take a lock if free or expired. KEYS: 1 locks hash. ARGV: 1 key, 2 owner, 3 ttl ms or -1, 4 job id, 5 worker id
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
return 1
