#!/usr/bin/env bash
# Cold debug build of a fresh generated project per protocol set: what choosing a
# protocol costs the first `cargo build`. See docs/performance.md, "Cold build by protocol".
#
#   bash bench/cold_build.sh                         # rest, then rest,graphql
#   PROTOCOLS="rest rest,grpc rest,graphql,grpc" bash bench/cold_build.sh
#
# apigen is built from this checkout; each project is generated with `--yes` (and the
# protocol set) and built with `cargo build` into an empty target dir of its own. One
# line per project: wall seconds, user and system CPU seconds, and the load average
# before and after (CPU seconds move less than wall time on a busy machine).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PROTOCOLS=${PROTOCOLS:-"rest rest,graphql"}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/apigen-cold-build.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

cargo build --quiet --manifest-path "$ROOT/Cargo.toml" --target-dir "$WORK/apigen"
apigen="$WORK/apigen/debug/apigen"
printf 'protocols\twall_s\tuser_s\tsys_s\tload_before\tload_after\n'
for protocols in $PROTOCOLS; do
  project="$WORK/p-${protocols//,/-}"
  "$apigen" new "$project" --name myapi --protocol "$protocols" --yes --vcs none >/dev/null
  before=$(cut -d' ' -f1 /proc/loadavg)
  (cd "$project" && CARGO_TARGET_DIR="$WORK/target-${protocols//,/-}" \
    /usr/bin/time -o "$WORK/time" -f '%e\t%U\t%S' cargo build --quiet)
  printf '%s\t%s\t%s\t%s\n' "$protocols" "$(cat "$WORK/time")" "$before" "$(cut -d' ' -f1 /proc/loadavg)"
done
