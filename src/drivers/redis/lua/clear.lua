-- Delete up to 1000 pending/delayed jobs of a queue; call until it returns 0.
-- KEYS: 1 ready, 2 payload, 3 state, 4 history, 5 unique, 6 waiting
--@include common
local ids = redis.call('ZRANGE', KEYS[1], 0, 999)
for _, id in ipairs(ids) do
  local s = read_state(KEYS[3], id)
  if s and s.unique ~= '' then
    local held = redis.call('HGET', KEYS[5], s.unique)
    if held and split(held)[1] == id then redis.call('HDEL', KEYS[5], s.unique) end
  end
  redis.call('ZREM', KEYS[1], id)
  redis.call('SREM', KEYS[6], id)
  redis.call('HDEL', KEYS[2], id)
  redis.call('HDEL', KEYS[3], id)
  redis.call('HDEL', KEYS[4], id)
end
return #ids
