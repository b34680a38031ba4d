#!/usr/bin/env bash
# Builds gcra and runs the main job: gcra-server with examples/gcra.yaml on
# the in-memory store, listening on 127.0.0.1:8080 (Ctrl-C stops it).
# Usage: scripts/run.sh [extra gcra-server flags, e.g. --store redis://127.0.0.1:6379/0]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh

cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DGCRA_BUILD_TESTS=OFF -DGCRA_BUILD_BENCH=OFF >/dev/null
cmake --build build-release -j"$(nproc)" --target gcra-server gcra_cli

cat <<'TRY'
gcra-server is starting on http://127.0.0.1:8080 with examples/gcra.yaml. Try, from another shell:
  curl -s -X POST http://127.0.0.1:8080/v1/check -d '{"policy": "api", "key": "user:42"}'
  curl -si http://127.0.0.1:8080/v1/forward-auth/api -H 'X-User-Id: 42'
  curl -s http://127.0.0.1:8080/metrics
What would a policy have done to past traffic?
  build-release/tools/gcra simulate --policy "100/minute;1000/hour" --traffic examples/traffic.csv
TRY
exec ./build-release/server/gcra-server --config examples/gcra.yaml "$@"
