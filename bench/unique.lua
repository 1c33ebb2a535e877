-- wrk: every request a URL never asked before (PATH?_n=<thread>-<n>), so no cache can answer it;
-- reports like report.lua. Run from the repository's root (dofile's path).
dofile("bench/report.lua")

local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("id", threads)
end

local n = 0
request = function()
  n = n + 1
  local separator = wrk.path:find("?", 1, true) and "&" or "?"
  return wrk.format(nil, wrk.path .. separator .. "_n=" .. id .. "-" .. n)
end
