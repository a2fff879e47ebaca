#!/usr/bin/env bash
# A/B of server builds or settings, by CPU time per request (see docs/performance.md):
#
#   ROUNDS=3 DURATION=5 ENDPOINTS="get health" bash bench/ablate.sh \
#     "label:PROJECT_DIR:BINARY[:RUST_LOG]" ...
#
# Each round starts every variant in turn (pinned to CPU 0, with bench/generated.env,
# a fresh SQLite file), seeds 300 items (register + login first where the app has
# accounts; promoted to admin where only admins write), then per endpoint a 1 s
# warm-up and a wrk run pinned to CPU 1, and prints req/s, the server's CPU µs per
# request and its threads' context switches per request (each is a hand-off between
# threads: tokio's workers, SQLite's connection threads). Run it on a quiet machine.
set -euo pipefail
BENCH=$(cd "$(dirname "$0")" && pwd)
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5}
ENDPOINTS=${ENDPOINTS:-"get health"}
PORT=${PORT:-18182}
WORK=$BENCH/.work/ablate
mkdir -p "$WORK"
TCK=$(getconf CLK_TCK)

command -v wrk >/dev/null || { apt-get update && apt-get install -y wrk; }

SERVER_PID=""
# A variant that fails (it did not start, seeding was refused) leaves no server behind.
trap '[ -z "$SERVER_PID" ] || kill "$SERVER_PID" 2>/dev/null || true' EXIT

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# Context switches of all the process's threads (voluntary and involuntary).
switches() { cat /proc/"$1"/task/*/status 2>/dev/null | awk '/ctxt_switches/ {s += $2} END {print s}'; }

run_variant() { # label dir binary rust_log
  local label=$1 dir=$2 binary rust_log=${4:-info}
  binary=$(realpath "$3")
  rm -rf "$WORK/db"* "$WORK/data" && mkdir -p "$WORK/data"
  (cd "$dir" && exec env HOST=127.0.0.1 PORT=$PORT DATABASE_URL="sqlite://$WORK/db" \
    $(grep -v '^#' "$BENCH/generated.env") \
    RUST_LOG=$rust_log taskset -c 0 "$binary" >/dev/null 2>&1) &
  local pid=$!
  SERVER_PID=$pid
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.1; done
  curl -sf "http://127.0.0.1:$PORT/health" >/dev/null || { echo "$label: $binary did not start" >&2; exit 1; }
  # Where only admins write (`--writes admin`, the default), seed promotes the bench user.
  local promote=(env -C "$dir" DATABASE_URL="sqlite://$WORK/db" $(grep -v '^#' "$BENCH/generated.env")
    "$binary" promote-admin)
  taskset -c 1 python3 "$BENCH/bench.py" seed "http://127.0.0.1:$PORT" 300 "$WORK/data" "${promote[@]}" >/dev/null
  for ep in $ENDPOINTS; do
    local wrk=(env BENCH_ENDPOINT=$ep BENCH_DIR=$WORK/data taskset -c 1 wrk -t1 -c32 -s "$BENCH/wrk.lua")
    "${wrk[@]}" -d1s "http://127.0.0.1:$PORT" >/dev/null
    local before requests after switched
    before=$(cpu_ticks "$pid")
    switched=$(switches "$pid")
    requests=$("${wrk[@]}" -d"${DURATION}s" "http://127.0.0.1:$PORT" | awk '/requests in/ {print $1}')
    after=$(cpu_ticks "$pid")
    switched=$(( $(switches "$pid") - switched ))
    awk -v l="$label" -v e="$ep" -v n="$requests" -v d="$DURATION" -v t="$((after - before))" -v hz="$TCK" \
      -v s="$switched" 'BEGIN { printf "%-16s %-12s %9.0f req/s %7.1f CPU-µs/req %5.2f switches/req\n",
        l, e, n / d, t * 1e6 / hz / n, s / n }'
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true
  SERVER_PID=""
}

for _ in $(seq "$ROUNDS"); do
  for variant in "$@"; do
    IFS=: read -r label dir binary rust_log <<<"$variant"
    run_variant "$label" "$dir" "$binary" "$rust_log"
  done
done
