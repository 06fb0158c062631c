-- POST job submissions cycling through a list of targets, recording every response, for wrk:
--   wrk ... -s submit.lua URL -- TARGETS_FILE OUT_DIR
-- TARGETS_FILE: one target per line: PATH, a tab, and a bearer token (empty: no header).
-- Each thread writes OUT_DIR/responses-<thread>.txt with one line per response:
-- "<status> <Location header or ->", so the benchmark can check that every accepted job exists
-- in the database and in the broker. The concept varies per request (no two bodies alike).

local counter = 0
local targets = {}
local index = 0
local sent = 0
local out

function setup(thread)
   counter = counter + 1
   thread:set("thread_number", counter)
end

function init(args)
   for line in io.lines(args[1]) do
      local path, token = line:match("^([^\t]+)\t?(.*)$")
      local headers = { ["Content-Type"] = "application/json" }
      if token ~= nil and token ~= "" then
         headers["Authorization"] = "Bearer " .. token
      end
      targets[#targets + 1] = { path = path, headers = headers }
   end
   assert(#targets > 0, "no targets in " .. args[1])
   index = ((thread_number or 1) * 7919) % #targets
   out = assert(io.open(args[2] .. "/responses-" .. (thread_number or 1) .. ".txt", "w"))
end

function request()
   index = index % #targets + 1
   sent = sent + 1
   local target = targets[index]
   local body = '{"concept":"SQL joins ' .. (thread_number or 1) .. "-" .. sent
      .. '","content_type":"lesson"}'
   return wrk.format("POST", target.path, target.headers, body)
end

function response(status, headers, body)
   out:write(status, " ", headers["location"] or headers["Location"] or "-", "\n")
end
