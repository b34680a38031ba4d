# Shared by the gcra-server benchmark scripts: free ports, waiting, and
# stopping everything this script started, by PID.
set -euo pipefail

started_pids=()
work_dir=$(mktemp -d /tmp/gcra-bench-XXXXXX)

stop_all() {
  local pid
  for pid in "${started_pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${started_pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work_dir"
}
trap stop_all EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_for_port PORT: until something accepts on 127.0.0.1:PORT (10 s at most).
wait_for_port() {
  local i
  for i in $(seq 1 200); do
    if python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $1), 0.1)" 2>/dev/null; then
      return 0
    fi
    sleep 0.05
  done
  echo "nothing listens on port $1" >&2
  return 1
}

# start_nginx PORT: nginx serving empty_gif on PORT, one worker, no logs.
start_nginx() {
  local dir="$work_dir/nginx-$1"
  mkdir -p "$dir/tmp"
  chmod 0777 "$dir/tmp"
  cat > "$dir/nginx.conf" <<NGINX
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $dir/tmp;
  proxy_temp_path $dir/tmp;
  fastcgi_temp_path $dir/tmp;
  uwsgi_temp_path $dir/tmp;
  scgi_temp_path $dir/tmp;
  server { listen 127.0.0.1:$1; location / { empty_gif; } }
}
NGINX
  nginx -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;' &
  started_pids+=($!)
  wait_for_port "$1"
}

# start_redis PORT
start_redis() {
  redis-server --port "$1" --bind 127.0.0.1 --save '' --appendonly no --dir "$work_dir" \
    --daemonize no --protected-mode no > "$work_dir/redis-$1.log" 2>&1 &
  started_pids+=($!)
  wait_for_port "$1"
}

# start_gcra BINARY PORT STORE POLICY_LIMITS [NAME]: gcra-server with one
# policy named bench (or NAME), identity header:X-User-Id; $GCRA_THREADS
# sets its I/O threads (default 0: one per core).
start_gcra() {
  local config="$work_dir/gcra-$2.yaml"
  cat > "$config" <<YAML
listen: 127.0.0.1:$2
threads: ${GCRA_THREADS:-0}
store: $3
store_timeout: 250ms
policies:
  ${5:-bench}:
    limits: "$4"
    identity: header:X-User-Id
YAML
  "$1" --config "$config" > "$work_dir/gcra-$2.log" 2>&1 &
  started_pids+=($!)
  last_pid=$!
  wait_for_port "$2"
}
