#!/usr/bin/env bash
# gcra-server's HTTP benchmark: wrk with keep-alive (-t2 -c64) against
# nginx serving empty_gif (the floor for one HTTP round trip on this
# machine), then gcra-server's POST /v1/check and forward-auth, on the
# in-memory store and on Redis, one after the other in one run.
#
#   bench/server/run.sh [BUILD_DIR] [DURATION]      (defaults: build, 10s)
#
# GCRA_THREADS=N sets gcra-server's I/O threads (default: one per core).
# Everything it starts listens on free loopback ports and is stopped by PID.
# wrk and the servers share the machine's cores: compare ratios within one
# run, not absolute figures between machines.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/common.sh"
root=$(cd "$here/../.." && pwd)
build=${1:-build}
duration=${2:-10s}
server="$root/$build/server/gcra-server"
[[ -x "$server" ]] || { echo "no $server; build the gcra-server target first" >&2; exit 1; }

limits="100/second;5000/minute"
nginx_port=$(free_port); start_nginx "$nginx_port"
redis_port=$(free_port); start_redis "$redis_port"
memory_port=$(free_port); start_gcra "$server" "$memory_port" memory "$limits"
redis_gcra_port=$(free_port); start_gcra "$server" "$redis_gcra_port" "redis://127.0.0.1:$redis_port/0" "$limits"

# run NAME URL [wrk args...]: prints "NAME req/s p50 p99".
results=()
run() {
  local name=$1 url=$2; shift 2
  local out="$work_dir/$name.txt"
  wrk -t2 -c64 -d"$duration" --latency "$@" "$url" > "$out"
  local rps p50 p99 errors
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  p50=$(awk '$1 == "50%" {print $2}' "$out")
  p99=$(awk '$1 == "99%" {print $2}' "$out")
  errors=$(awk '/Non-2xx|Socket errors/ {print}' "$out" | tr '\n' ' ')
  results+=("$name|$rps|$p50|$p99|$errors")
  sleep 1
}

run "nginx empty_gif" "http://127.0.0.1:$nginx_port/"
run "check, memory" "http://127.0.0.1:$memory_port" -s "$here/check.lua"
run "forward-auth, memory" "http://127.0.0.1:$memory_port" -s "$here/forward_auth.lua"
run "check, redis" "http://127.0.0.1:$redis_gcra_port" -s "$here/check.lua"
run "forward-auth, redis" "http://127.0.0.1:$redis_gcra_port" -s "$here/forward_auth.lua"

nginx_rps=${results[0]#*|}; nginx_rps=${nginx_rps%%|*}
printf '%s, wrk -t2 -c64 -d%s, %s cores, gcra-server threads: %s, policy "%s", 10,000 users\n\n' \
  "$(date -u +%F)" "$duration" "$(nproc)" "${GCRA_THREADS:-0 (one per core)}" "$limits"
printf '| target | req/s | %% of nginx | p50 | p99 | errors |\n|---|---|---|---|---|---|\n'
for line in "${results[@]}"; do
  IFS='|' read -r name rps p50 p99 errors <<< "$line"
  pct=$(awk -v a="$rps" -v b="$nginx_rps" 'BEGIN { printf "%.0f%%", 100 * a / b }')
  printf '| %s | %.0f | %s | %s | %s | %s |\n' "$name" "$rps" "$pct" "$p50" "$p99" "${errors:-none}"
done
