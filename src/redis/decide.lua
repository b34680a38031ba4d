-- gcra: one decision for one key under a policy of 1 to 8 rates, atomically.
-- See docs/redis.md. Loaded once per connection, then called by EVALSHA.
--
-- KEYS[1]  the key's state: the theoretical arrival time (TAT) of each rate,
--          in ns of the clock below, as 19-digit decimals joined by spaces.
-- ARGV[1]  'c' consumes the cost if every rate admits it; 'p' only looks.
-- ARGV[2], ARGV[3]  now, as whole seconds and the ns within them; ARGV[2] = ''
--          reads Redis TIME instead (always, except in gcra's own tests).
-- then, per rate, 4 arguments: the request's increment (cost x T) and the
--          tolerance (burst x T), each as seconds and ns; an increment of
--          -1 seconds means the cost exceeds the rate's burst.
--
-- Lua numbers are doubles, exact only below 2^53, and instants in ns since
-- 1970 are about 2^61: every instant and duration is carried as (s, ns),
-- both parts exact. The script only decides and writes; it returns the state
-- it read and the clock it used, from which the client computes the full
-- decision with the same C++ code as every other store.
-- Reply: "<1 if admitted, else 0> <clock s> <clock us (TIME) or ns (ARGV)> <state read>":
-- one string, which costs Redis less than an array.
local E9 = 1000000000
local clock_s, clock_sub, now_s, now_ns
if ARGV[2] == '' then
  local t = redis.call('TIME')
  clock_s, clock_sub = t[1], t[2]
  now_s, now_ns = clock_s + 0, clock_sub * 1000
else
  clock_s, clock_sub = ARGV[2], ARGV[3]
  now_s, now_ns = clock_s + 0, clock_sub + 0
end
local state = redis.call('GET', KEYS[1]) or ''
local stored = (#state + 1) / 20
local consume = ARGV[1] == 'c'
local admitted = '1'
local tats = {}
local last_s, last_ns = 0, 0 -- the latest new TAT: when the key is idle again
for i = 1, (#ARGV - 3) / 4 do
  local a = 4 * i
  local inc_s = ARGV[a] + 0
  if inc_s < 0 then admitted = '0' break end
  -- The request is booked from max(tat, now).
  local s, ns = now_s, now_ns
  if i <= stored then
    local o = 20 * i - 19
    local tat_s, tat_ns = string.sub(state, o, o + 9) + 0, string.sub(state, o + 10, o + 18) + 0
    if tat_s > s or (tat_s == s and tat_ns > ns) then s, ns = tat_s, tat_ns end
  end
  s, ns = s + inc_s, ns + ARGV[a + 1]
  if ns >= E9 then s, ns = s + 1, ns - E9 end
  -- Admitted iff the new TAT is at most now + tolerance.
  local lim_s, lim_ns = now_s + ARGV[a + 2], now_ns + ARGV[a + 3]
  if lim_ns >= E9 then lim_s, lim_ns = lim_s + 1, lim_ns - E9 end
  if s > lim_s or (s == lim_s and ns > lim_ns) then admitted = '0' break end
  if consume then
    tats[i] = string.format('%010d%09d', s, ns)
    if s > last_s or (s == last_s and ns > last_ns) then last_s, last_ns = s, ns end
  end
end
if consume and admitted == '1' then
  if ARGV[2] == '' then
    -- Expire at the first millisecond at which every rate is idle again.
    local up = last_ns + 999999
    redis.call('SET', KEYS[1], table.concat(tats, ' '), 'PXAT', last_s * 1000 + (up - up % 1000000) / 1000000)
  else
    -- The caller's clock is not Redis's: no expiry (test use only).
    redis.call('SET', KEYS[1], table.concat(tats, ' '))
  end
end
return admitted .. ' ' .. clock_s .. ' ' .. clock_sub .. ' ' .. state
