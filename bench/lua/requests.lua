-- GET requests cycling through a list of targets, for wrk:
--   wrk ... -s requests.lua URL -- TARGETS_FILE
-- TARGETS_FILE has one target per line: PATH, a tab, and a bearer token (empty: no header).
-- The requests are formatted once, up front, so the generator spends its time sending.

local counter = 0
local requests = {}
local index = 0

function setup(thread)
   counter = counter + 1
   thread:set("thread_number", counter)
end

function init(args)
   for line in io.lines(args[1]) do
      local path, token = line:match("^([^\t]+)\t?(.*)$")
      local headers = {}
      if token ~= nil and token ~= "" then
         headers["Authorization"] = "Bearer " .. token
      end
      requests[#requests + 1] = wrk.format("GET", path, headers)
   end
   assert(#requests > 0, "no targets in " .. args[1])
   -- Each thread starts at its own place in the list.
   index = ((thread_number or 1) * 7919) % #requests
end

function request()
   index = index % #requests + 1
   return requests[index]
end
