-- wrk: POST /v1/check, every request for a key never seen before (the
-- memory soak: state must be forgotten as keys go idle).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local thread_counter = 0
setup = function(thread)
  thread_counter = thread_counter + 1
  thread:set("prefix", "t" .. thread_counter .. ":")
end
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format(nil, "/v1/check", nil, '{"policy":"soak","key":"' .. prefix .. counter .. '"}')
end
