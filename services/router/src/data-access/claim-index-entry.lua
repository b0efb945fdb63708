-- Shared by the claim-index scripts (prepended to each when it is loaded).
-- An entry value "<score>, newline, <set key>, newline, <member>" -> set key, member.
local function setAndMember(value)
  local first = string.find(value, '\n', 1, true)
  local second = string.find(value, '\n', first + 1, true)
  return string.sub(value, first + 1, second - 1), string.sub(value, second + 1)
end
