-- Takes the best head of all the given sets off the index.
-- KEYS: entries hash, then the sets to choose from. ARGV: the length of a member's time prefix
-- (the ticket id follows it).
local bestKey, bestMember, bestScore, bestRaw
for i = 2, #KEYS do
  local head = redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')
  if head[1] then
    local score = tonumber(head[2])
    if bestKey == nil or score < bestScore or (score == bestScore and head[1] < bestMember) then
      bestKey, bestMember, bestScore, bestRaw = KEYS[i], head[1], score, head[2]
    end
  end
end
if bestKey == nil then return nil end
redis.call('ZREM', bestKey, bestMember)
local id = string.sub(bestMember, tonumber(ARGV[1]) + 1)
local value = redis.call('HGET', KEYS[1], id)
if value then
  local set, member = setAndMember(value)
  if set == bestKey and member == bestMember then
    redis.call('HDEL', KEYS[1], id)
    bestRaw = string.sub(value, 1, string.find(value, '\n', 1, true) - 1)
  end
end
return { bestKey, bestMember, bestRaw }
