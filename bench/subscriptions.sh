#!/usr/bin/env bash
# GraphQL subscriptions: the memory per idle subscriber and the fan-out, writes per
# second delivered to N subscribers (docs/performance.md, "GraphQL subscriptions"), in
# one command:
#
#   bash bench/subscriptions.sh
#   SUBSCRIBERS=1,10 WRITES=50 bash bench/subscriptions.sh        # smoke run
#
# 1. builds apigen, generates `--protocol rest,graphql --auth jwt --db sqlite` with a
#    resource `items` and builds it in release (under nice);
# 2. makes a venv with the `websockets` package (bench/.work/venv, shared with sockets.sh);
# 3. runs bench/subscriptions.py for each SELECTION (id: the change alone; item: the row
#    read again for every subscriber), then prints the table.
# JSON lines go to bench/results/subscriptions-<stamp>/results.jsonl.
set -euo pipefail
BENCH=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$BENCH")
# shellcheck source=bench/socket_clients.sh
. "$BENCH/socket_clients.sh"
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
WORK=${WORK:-$BENCH/.work}
SUBSCRIBERS=${SUBSCRIBERS:-1,10,100,1000}
WRITES=${WRITES:-200}
WRITERS=${WRITERS:-4}
SELECTIONS=${SELECTIONS:-"id item"}

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=$BENCH/results/subscriptions-$STAMP
mkdir -p "$OUT" "$WORK"
APIGEN=$TARGET/release/apigen
APP_TARGET=$TARGET/apps
GEN=$WORK/subscriptions

echo "== build (nice 10)"
(cd "$ROOT" && CARGO_TARGET_DIR=$TARGET nice -n 10 cargo build --release --locked -q)
rm -rf "$GEN"
"$APIGEN" new "$GEN" --name subsbench --protocol rest,graphql --auth jwt --db sqlite \
  --versioning url --yes --vcs none >/dev/null
(cd "$GEN" && "$APIGEN" add resource items --fields name:string,email:string:unique --yes >/dev/null)
(cd "$GEN" && CARGO_TARGET_DIR=$APP_TARGET nice -n 10 cargo build --release --locked -q)
websockets_venv "$WORK"
record_machine "$OUT/machine.txt"
for selection in $SELECTIONS; do
  echo "== subscribers $SUBSCRIBERS, selection $selection"
  "$WORK/venv/bin/python" "$BENCH/subscriptions.py" run "$GEN" "$APP_TARGET/release/subsbench" \
    --subscribers "$SUBSCRIBERS" --writes "$WRITES" --writers "$WRITERS" --selection "$selection" \
    --json "$OUT/results.jsonl"
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/machine.txt"
"$WORK/venv/bin/python" "$BENCH/subscriptions.py" table "$OUT/results.jsonl" | tee "$OUT/table.md"
