#!/usr/bin/env bash
# Measures gcra's Redis store side by side with its floor and its peers,
# in one run against one redis-server (persistence off, free loopback port):
#   - redis-benchmark running gcra's own script (EVALSHA) at -c 1, -c 50 and
#     -c 50 -P 16, and a minimal TIME+GET+SET PX script for comparison;
#   - Redis's own time per script call (INFO commandstats);
#   - gcra_redis_bench: RedisStore at 1 connection, 64 in flight (async) and
#     batches of 64, and the classic recipe in C++;
#   - rate-limiter-flexible with ioredis at 1 and 64 in flight (if node and
#     npm are installed; its packages go to bench/redis/node/node_modules);
#   - bytes per key (MEMORY USAGE, and used_memory over 100 000 keys).
#
# usage: bench/redis/run_redis_bench.sh <build dir> [seconds per node run]
set -euo pipefail

build=${1:?usage: run_redis_bench.sh <build dir> [seconds per node run]}
seconds=${2:-5}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bench_bin=$build/bench/redis/gcra_redis_bench
[ -x "$bench_bin" ] || { echo "build $bench_bin first (cmake --build $build --target gcra_redis_bench)" >&2; exit 1; }

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
dir=$(mktemp -d /tmp/gcra-redis-bench-XXXXXX)
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" --daemonize no \
  > "$dir/redis.log" 2>&1 &
redis_pid=$!
cleanup() {
  kill "$redis_pid" 2>/dev/null || true
  wait "$redis_pid" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
cli=(redis-cli -p "$port")
for _ in $(seq 100); do "${cli[@]}" PING > /dev/null 2>&1 && break; sleep 0.05; done

echo "# $(date -u +%F), $(nproc) CPUs, $(redis-server --version | cut -d' ' -f3), $(uname -r)"

# gcra's script, byte for byte as the library loads it (-x keeps the final newline).
sha=$("${cli[@]}" -x SCRIPT LOAD < "$root/src/redis/decide.lua")
# Two baselines: the floor (TIME, GET, SET PX and nothing else) and a minimal
# GCRA script in microseconds held in doubles (inexact beyond 2^53 us; what
# a quick implementation does), both keeping keys alive as gcra's runs do.
minimal='local t = redis.call("TIME") local v = redis.call("GET", KEYS[1]) redis.call("SET", KEYS[1], t[1], "PX", 60000) return v'
minimal_sha=$("${cli[@]}" SCRIPT LOAD "$minimal")
float_gcra='local t = redis.call("TIME") local now = t[1] * 1000000 + t[2]
local tat = tonumber(redis.call("GET", KEYS[1])) or now
local new = math.max(tat, now) + tonumber(ARGV[1])
if new - now > tonumber(ARGV[2]) then return 0 end
redis.call("SET", KEYS[1], new, "PX", math.ceil((new - now) / 1000)) return 1'
float_sha=$("${cli[@]}" SCRIPT LOAD "$float_gcra")
# One check under gcra_redis_bench's policies: "1/minute burst 1000000"
# (increment 60 s, tolerance 60 000 000 s: every request admitted, every key
# kept) and its 3-rate variant; keys named as RedisStore names them.
gcra1=(EVALSHA "$sha" 1 'gcra:{bench:__rand_int__}:bench' c '' '' 60 0 60000000 0)
gcra3=(EVALSHA "$sha" 1 'gcra:{bench:__rand_int__}:bench3' c '' '' 60 0 60000000 0 30 0 30000000 0 20 0 20000000 0)
minimal1=(EVALSHA "$minimal_sha" 1 'min:{bench:__rand_int__}')
float1=(EVALSHA "$float_sha" 1 'float:{bench:__rand_int__}' 60000000 60000000000000)

# Prints requests per second of one redis-benchmark run.
rb() {
  redis-benchmark -p "$port" -r 100000 -q "$@" | tr '\r' '\n' | grep 'requests per second' | tail -1 |
    sed -E 's/.*: ([0-9.]+) requests per second.*/\1/'
}
# Resets the statistics, runs redis-benchmark, prints Redis's usec per EVALSHA.
server_us() {
  "${cli[@]}" CONFIG RESETSTAT > /dev/null
  rb "$@" > /dev/null
  "${cli[@]}" INFO commandstats | tr -d '\r' | grep '^cmdstat_evalsha:' | sed -E 's/.*usec_per_call=([0-9.]+).*/\1/'
}

echo
echo "## redis-benchmark, requests/s"
printf '%-34s %10s %10s %12s\n' script "-c 1" "-c 50" "-c 50 -P 16"
for name in gcra1 gcra3 float1 minimal1; do
  declare -n args=$name
  printf '%-34s %10s %10s %12s\n' "$name" "$(rb -c 1 -n 20000 "${args[@]}")" "$(rb -c 50 -n 100000 "${args[@]}")" \
    "$(rb -c 50 -P 16 -n 400000 "${args[@]}")"
done

echo
echo "## Redis's time per script call (usec_per_call, -c 50 -P 16)"
for name in gcra1 gcra3 float1 minimal1; do
  declare -n args=$name
  printf '%-34s %s\n' "$name" "$(server_us -c 50 -P 16 -n 400000 "${args[@]}")"
done

echo
echo "## gcra_redis_bench (RedisStore, classic recipe): median of 3, interleaved"
GCRA_BENCH_REDIS_PORT=$port "$bench_bin" --benchmark_counters_tabular=true --benchmark_repetitions=3 \
  --benchmark_enable_random_interleaving=true --benchmark_report_aggregates_only=true 2>&1 |
  grep -E '^(Benchmark|BM_.*_median)'

have_node=0
if command -v node > /dev/null && command -v npm > /dev/null; then
  have_node=1
  (cd "$here/node" && npm install --no-audit --no-fund --silent > /dev/null)
  echo
  echo "## rate-limiter-flexible (RateLimiterRedis, ioredis), $seconds s per run"
  node "$here/node/rlf_bench.js" "$port" "$seconds"
else
  echo "(node/npm not installed: rate-limiter-flexible skipped)"
fi

# The targets compare figures taken minutes apart on a shared machine, so
# they are also measured head to head: each round runs every contender
# back to back, and the ratios are per round.
gcra_rate() {  # items/s of one gcra_redis_bench benchmark
  GCRA_BENCH_REDIS_PORT=$port "$bench_bin" --benchmark_filter="$1" --benchmark_format=csv 2> /dev/null |
    grep '^"BM_' | head -1 | cut -d, -f7 | cut -d. -f1
}
echo
echo "## head to head, decisions/s (3 rounds)"
printf '%-6s %12s %12s %10s %12s %12s %10s %12s %10s\n' round "rb gcra c1" "gcra 1 conn" ratio classic "x classic" \
  "gcra 64" "rlf 64" "x rlf"
for round in 1 2 3; do
  rb1=$(rb -c 1 -n 40000 "${gcra1[@]}")
  one=$(gcra_rate 'Check/rates:1/')
  classic=$(gcra_rate 'ClassicRecipe')
  async=$(gcra_rate 'Async')
  rlf=-
  if ((have_node)); then
    rlf=$(node "$here/node/rlf_bench.js" "$port" 3 64 | grep 'in_flight=64' | sed -E 's/.*=([0-9]+)$/\1/')
  fi
  printf '%-6s %12.0f %12s %10.2f %12s %12.2f %10s %12s %10s\n' "$round" "$rb1" "$one" "$(echo "$one / $rb1" | bc -l)" \
    "$classic" "$(echo "$one / $classic" | bc -l)" "$async" "$rlf" \
    "$( ((have_node)) && printf '%.2f' "$(echo "$async / $rlf" | bc -l)" || echo -)"
done

echo
echo "## bytes per key"
memory_for() {  # <label> <key pattern> <script arguments after the key...>
  local label=$1 pattern=$2
  shift 2
  "${cli[@]}" FLUSHALL > /dev/null
  local before after
  before=$("${cli[@]}" INFO memory | tr -d '\r' | grep '^used_memory:' | cut -d: -f2)
  awk -v sha="$sha" -v pattern="$pattern" -v rest="$*" \
    'BEGIN { for (i = 0; i < 100000; i++) { key = sprintf(pattern, i); printf "EVALSHA %s 1 %s %s\n", sha, key, rest } }' |
    "${cli[@]}" --pipe > /dev/null
  after=$("${cli[@]}" INFO memory | tr -d '\r' | grep '^used_memory:' | cut -d: -f2)
  local sample
  sample=$("${cli[@]}" MEMORY USAGE "$(printf "$pattern" 42)")
  printf '%-40s MEMORY USAGE %4s B   used_memory %6.1f B/key over %s keys\n' "$label" "$sample" \
    "$(echo "($after - $before) / 100000" | bc -l)" "$("${cli[@]}" DBSIZE)"
}
# "100/hour": T = 36 s, tolerance 3600 s. "100/hour;1000/day;10000/week" adds
# T = 86.4 s / 60.48 s with tolerances of 1 day and 1 week.
memory_for 'gcra 1 rate (key gcra:{user:N}:100/1h)' 'gcra:{user:%012d}:100/1h' c '""' '""' 36 0 3600 0
memory_for 'gcra 3 rates' 'gcra:{user:%012d}:3rates' c '""' '""' 36 0 3600 0 86 400000000 86400 0 60 480000000 604800 0
