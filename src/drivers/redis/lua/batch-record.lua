-- Record one job's final outcome in a batch, atomically. Returns {pending, failed, firstFailure} or nil when unknown.
-- KEYS: 1 batches (static JSON by id), 2 batch counters hash, 3 failed ids set of this batch
-- ARGV: 1 batch id, 2 job id, 3 outcome (succeeded | failed)
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return nil end
local first = 0
if ARGV[3] == 'succeeded' then
  local pending = tonumber(redis.call('HGET', KEYS[2], ARGV[1] .. ':pending') or '0')
  if pending > 0 then redis.call('HINCRBY', KEYS[2], ARGV[1] .. ':pending', -1) end
  -- A failed job retried to success leaves the failed list.
  if redis.call('SREM', KEYS[3], ARGV[2]) == 1 then redis.call('HINCRBY', KEYS[2], ARGV[1] .. ':failed', -1) end
elseif redis.call('SADD', KEYS[3], ARGV[2]) == 1 then
  if tonumber(redis.call('HGET', KEYS[2], ARGV[1] .. ':failed') or '0') == 0 then first = 1 end
  redis.call('HINCRBY', KEYS[2], ARGV[1] .. ':failed', 1)
end
return { tonumber(redis.call('HGET', KEYS[2], ARGV[1] .. ':pending')), tonumber(redis.call('HGET', KEYS[2], ARGV[1] .. ':failed')), first }
