-- wrk: POST /v1/check for one of 10,000 users (every answer is a decision).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local counter = 0
request = function()
  counter = counter + 1
  local body = '{"policy":"bench","key":"user:' .. (counter % 10000) .. '"}'
  return wrk.format(nil, "/v1/check", nil, body)
end
