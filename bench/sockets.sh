#!/usr/bin/env bash
# WebSockets: idle sockets per GiB and change fan-out latency across instances
# (docs/performance.md, "WebSockets"), in one command:
#
#   bash bench/sockets.sh
#   COUNTS=1000 IDLE_SECONDS=10 WRITES=200 bash bench/sockets.sh     # smoke run
#
# Needs PostgreSQL at DATABASE_SERVER and Redis at REDIS_URL (loopback), Rust, python3.
# 1. builds apigen, generates two projects with `--protocol rest,websocket --auth jwt
#    --db postgres` (one also `--cache redis`) and an owned resource `notes`, and builds
#    both in release (under nice: the builds must not disturb the measurements of others);
# 2. makes a venv with the `websockets` package (bench/.work/venv);
# 3. runs bench/sockets.py at the normal priority: `idle` on the PostgreSQL project,
#    `fanout` on both (PostgreSQL LISTEN/NOTIFY, then Redis pub/sub).
# JSON lines go to bench/results/sockets-<stamp>/results.jsonl, server logs beside them.
set -euo pipefail
BENCH=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$BENCH")
# shellcheck source=bench/socket_clients.sh
. "$BENCH/socket_clients.sh"
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
WORK=${WORK:-$BENCH/.work}
COUNTS=${COUNTS:-1000,5000,10000}
IDLE_SECONDS=${IDLE_SECONDS:-65}
WRITES=${WRITES:-1000}
MODES=${MODES:-rest,socket}
PARTS=${PARTS:-"idle fanout"}
DATABASE_SERVER=${DATABASE_SERVER:-postgres://postgres@127.0.0.1:5432}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=$BENCH/results/sockets-$STAMP
mkdir -p "$OUT" "$WORK"
APIGEN=$TARGET/release/apigen
APP_TARGET=$TARGET/apps

echo "== build (nice 10)"
(cd "$ROOT" && CARGO_TARGET_DIR=$TARGET nice -n 10 cargo build --release --locked -q)
for engine in postgres redis; do
  dir=$WORK/ws$engine
  rm -rf "$dir"
  cache=none; [ "$engine" = redis ] && cache=redis
  "$APIGEN" new "$dir" --name "ws$engine" --protocol rest,websocket --auth jwt --db postgres \
    --cache "$cache" --versioning url --yes --vcs none >/dev/null
  (cd "$dir" && "$APIGEN" add resource notes --fields title:string --owned --yes >/dev/null)
  (cd "$dir" && CARGO_TARGET_DIR=$APP_TARGET nice -n 10 cargo build --release --locked -q)
done
websockets_venv "$WORK"
record_machine "$OUT/machine.txt"
py=("$WORK/venv/bin/python" "$BENCH/sockets.py")
common=(--database-url "$DATABASE_SERVER" --redis-url "$REDIS_URL" --json "$OUT/results.jsonl")
if [[ " $PARTS " == *" idle "* ]]; then
  echo "== idle sockets: $COUNTS"
  "${py[@]}" idle "$WORK/wspostgres" "$APP_TARGET/release/wspostgres" --counts "$COUNTS" \
    --idle-seconds "$IDLE_SECONDS" --logs "$OUT/idle" "${common[@]}"
fi
if [[ " $PARTS " == *" fanout "* ]]; then
  for engine in postgres redis; do
    echo "== fan-out: $engine"
    "${py[@]}" fanout "$WORK/ws$engine" "$APP_TARGET/release/ws$engine" --writes "$WRITES" \
      --modes "$MODES" --logs "$OUT/fanout-$engine" "${common[@]}"
  done
fi
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/machine.txt"
echo "results: $OUT/results.jsonl"
