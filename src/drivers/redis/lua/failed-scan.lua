-- One page of a queue's failed ids, oldest first, after a (failedAt, id) position. Read-only.
-- KEYS: 1 failed. ARGV: 1 after failedAt (-1: from the start), 2 after id, 3 limit
-- Returns id, failedAt, id, failedAt, ...
-- Members of equal score are ordered by id (byte order), so the start rank is the end of the lower
-- scores plus a binary search by id within the equal-score block: exact even after the position's
-- own member was removed, and never a walk through a large block of same-millisecond failures.
local function at_or_before(a, b) -- byte order; Lua's `<=` follows the server's locale (strcoll)
  for i = 1, math.min(#a, #b) do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return #a <= #b
end
local lo = redis.call('ZCOUNT', KEYS[1], '-inf', '(' .. ARGV[1])
local hi = redis.call('ZCOUNT', KEYS[1], '-inf', ARGV[1])
while lo < hi do
  local mid = math.floor((lo + hi) / 2)
  if at_or_before(redis.call('ZRANGE', KEYS[1], mid, mid)[1], ARGV[2]) then lo = mid + 1 else hi = mid end
end
return redis.call('ZRANGE', KEYS[1], lo, lo + tonumber(ARGV[3]) - 1, 'WITHSCORES')
