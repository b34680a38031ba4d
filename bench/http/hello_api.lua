-- wrk script: each request as one of HELLO_USERS (default 10000) users, at
-- random, identified by the X-User-Id header an authorizer would set.
local users = tonumber(os.getenv("HELLO_USERS") or "10000")

function setup(thread)
  thread:set("seed", math.random(1, 1000000))
end

function init(args)
  math.randomseed(seed or os.time())
end

function request()
  return wrk.format("GET", nil, { ["X-User-Id"] = "user" .. math.random(users) })
end
