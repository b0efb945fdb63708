-- Puts a waiting ticket in its partition's sorted set, replacing where it was before.
-- KEYS: entries hash, target set, the set of all sets. ARGV: ticket id, score, member,
-- only-if-absent ("1"/"0").
local old = redis.call('HGET', KEYS[1], ARGV[1])
if old and ARGV[4] == '1' then return 0 end
if old then
  local set, member = setAndMember(old)
  redis.call('ZREM', set, member)
end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
redis.call('SADD', KEYS[3], KEYS[2])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. '\n' .. KEYS[2] .. '\n' .. ARGV[3])
return 1
