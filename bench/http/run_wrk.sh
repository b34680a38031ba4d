#!/usr/bin/env bash
# wrk against examples/hello_api with and without rate limiting, in-memory
# store: 2 wrk threads, 64 connections, DURATION (10s) per run, ROUNDS (3)
# rounds alternating the modes (MODES, default all four below); prints each
# run and the medians.
#
#   bench/http/run_wrk.sh [build-dir]        (default: build)
#
# Limits are set so high that every request is admitted: the measured path
# is the full one (store call, RateLimit fields on every response). Both
# modes serve with the same server settings (64 worker threads, keep-alive).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build}
bin=$build/examples/hello_api/hello_api
duration=${DURATION:-10s}
rounds=${ROUNDS:-3}
[[ -x $bin ]] || { echo "no $bin: build the hello_api target first" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk not found (Debian: apt-get install wrk)" >&2; exit 1; }

pid=
stop() { if [[ -n $pid ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=; fi; }
trap stop EXIT

# start <args...>: runs hello_api on a free port (bounded to 10 minutes) and
# sets $port.
start() {
  local log
  log=$(mktemp)
  timeout 600 "$bin" --port 0 --threads 64 "$@" >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do
    port=$(sed -n 's|^hello_api on http://[^:]*:\([0-9]*\).*|\1|p' "$log")
    [[ -n $port ]] && break
    sleep 0.1
  done
  rm -f "$log"
  [[ -n $port ]] || { echo "hello_api did not start" >&2; exit 1; }
}

# measure <path>: prints requests/s.
measure() {
  wrk -t2 -c64 -d"$duration" -s "$here/hello_api.lua" "http://127.0.0.1:$port$1" |
    awk '/^Requests\/sec/ {print $2} /Non-2xx/ {print "non-2xx: " $0 > "/dev/stderr"}'
}

# Four modes: GET / without limits and behind the middleware (the issue's
# comparison), and GET /hello without limits and behind middleware + route
# decorator (two decisions per request).
declare -A results
read -r -a modes <<<"${MODES:-root-off root-middleware hello-off hello-both}"
for ((r = 1; r <= rounds; r++)); do
  for mode in "${modes[@]}"; do
    case $mode in
      root-off) start --no-limit; path=/ ;;
      root-middleware) start --global 1000000000/minute; path=/ ;;
      hello-off) start --no-limit; path=/hello ;;
      hello-both) start --global 1000000000/minute --hello 1000000000/minute; path=/hello ;;
    esac
    rps=$(measure "$path")
    stop
    echo "round $r  $mode  $rps req/s"
    results[$mode]+="$rps "
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
compare() {  # compare <baseline mode> <mode>
  local a b
  a=$(echo "${results[$1]}" | median)
  b=$(echo "${results[$2]}" | median)
  awk -v a="$a" -v b="$b" -v m1="$1" -v m2="$2" \
    'BEGIN {printf "median %-16s %10.0f req/s\nmedian %-16s %10.0f req/s  overhead %.1f%%\n", m1, a, m2, b, (a - b) / a * 100}'
}
[[ -n ${results[root-off]:-} && -n ${results[root-middleware]:-} ]] && compare root-off root-middleware
[[ -n ${results[hello-off]:-} && -n ${results[hello-both]:-} ]] && compare hello-off hello-both
exit 0
