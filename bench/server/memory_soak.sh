#!/usr/bin/env bash
# gcra-server's memory over a long run of keys that are never seen twice:
# each key's state must be forgotten once it is idle, so the resident size
# must level off and stay flat however many keys go by.
#
#   bench/server/memory_soak.sh [BUILD_DIR] [SECONDS] [CONNECTIONS]
#       (defaults: build, 600, 64)
#
# Policy "10/minute": one request books 6 s, so a key is idle (and
# forgettable) 6 s after its only request. Prints the resident set size
# (VmRSS) and the keys seen so far every 10 s.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/common.sh"
root=$(cd "$here/../.." && pwd)
build=${1:-build}
seconds=${2:-600}
connections=${3:-64}
server="$root/$build/server/gcra-server"
[[ -x "$server" ]] || { echo "no $server; build the gcra-server target first" >&2; exit 1; }

port=$(free_port)
start_gcra "$server" "$port" memory "10/minute" soak
gcra_pid=$last_pid

wrk -t2 -c"$connections" -d"${seconds}s" -s "$here/distinct_keys.lua" "http://127.0.0.1:$port" > "$work_dir/wrk.txt" &
wrk_pid=$!
started_pids+=($wrk_pid)

printf 'elapsed_s  rss_kib  keys_seen\n'
start=$(date +%s)
while kill -0 "$wrk_pid" 2>/dev/null; do
  sleep 10
  now=$(date +%s)
  rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$gcra_pid/status")
  seen=$(curl -s "http://127.0.0.1:$port/metrics" |
         awk '/^gcra_decisions_total\{policy="soak",outcome="allowed"\}/ {print $2}')
  printf '%9d  %7d  %9d\n' $((now - start)) "$rss" "${seen:-0}"
done
wait "$wrk_pid" || true
grep -E "Requests/sec|requests in" "$work_dir/wrk.txt"
