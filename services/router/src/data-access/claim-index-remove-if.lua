-- Removes a ticket's entry if it still has the value the caller saw (a concurrent upsert wins).
-- KEYS: entries hash. ARGV: ticket id, the entry value it must still have.
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
local set, member = setAndMember(ARGV[2])
redis.call('ZREM', set, member)
redis.call('HDEL', KEYS[1], ARGV[1])
return 1
