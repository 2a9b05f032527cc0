-- Record a worker heartbeat with the server clock. KEYS: 1 workers hash. ARGV: 1 id, 2 info JSON
--@include common
local info = cjson.decode(ARGV[2])
info.lastBeatAt = now_ms()
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(info))
return 1
