-- wrk: GET /v1/forward-auth/bench as one of 10,000 users (X-User-Id).
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", "/v1/forward-auth/bench", { ["X-User-Id"] = "user:" .. (counter % 10000) })
end
