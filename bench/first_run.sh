#!/usr/bin/env bash
# "The first run": how long the README's first command takes from a clean clone to
# the first 200 from the generated API, next to the cold debug build of the bare axum
# + sqlx app (bench/axum_ceiling). See docs/performance.md, "The first run".
#
#   bash bench/first_run.sh              # REPS=2: ceiling, first run, peer, peer, first run, ceiling
#   REPS=1 PEER=none bash bench/first_run.sh                     # without the peer
#   REV=abecb89 APIGEN_PROFILE=release bash bench/first_run.sh   # before: the old README command
#
# Each repetition measures all three, back to back, the order alternating (forwards in
# odd repetitions, backwards in even ones), so that a change in the machine's load hits
# them alike:
#
#   first run: git clone (REV, default HEAD) into an empty temp dir, then the
#              README's command with empty target dirs:
#                cargo build                         (apigen, dev profile)
#                cargo run -- new $W/myapi --yes     (the README runs these two as one `cargo run`)
#                cd $W/myapi && cargo run            (until `curl /health` answers 200)
#   ceiling:   cp -r bench/axum_ceiling (from the same clone); cargo build --locked
#              with an empty target dir.
#   peer:      (PEER=loco) Loco's first run: `cargo install loco --version $LOCO_VERSION`,
#              `loco new` (SQLite, async workers, no assets), `cargo loco start` until
#              `/_ping` answers 200; empty target dirs, the crates from the local registry.
#
# Every phase records wall time, load average before and after, and the CPU time other
# processes used meanwhile (machine busy time from /proc/stat minus this script's
# children). Results: one line per phase in $OUT/results.tsv and a summary on stdout.
# Everything is built under $WORK (a temp dir, removed at the end unless KEEP=1).
set -euo pipefail
BENCH=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$BENCH")

REPS=${REPS:-2}
REV=$(git -C "$ROOT" rev-parse "${REV:-HEAD}")   # what is cloned (commit what you measure)
APIGEN_PROFILE=${APIGEN_PROFILE:-dev}            # dev: `cargo run -- new`; release: `cargo run --release -- new`
PORT=${PORT:-18281}
WORK=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/apigen-first-run.XXXXXX")}
KEEP=${KEEP:-0}
PEER=${PEER:-loco}                               # loco: the peer's first run too; none: skip it
LOCO_VERSION=${LOCO_VERSION:-1.2.0}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=${OUT:-$BENCH/results/first-run-$STAMP}
HZ=$(getconf CLK_TCK)

# Like bench/run.sh: our own scheduler autogroup at the highest priority when allowed,
# the same for every measurement, so that builds in other sessions disturb us less.
if [ -z "${BENCH_SESSION:-}" ] && [ -w /proc/self/autogroup ]; then
  BENCH_SESSION=1 WORK=$WORK exec setsid --wait bash "$0" "$@"
fi
echo -20 > /proc/self/autogroup 2>/dev/null || true

mkdir -p "$OUT"
unset CARGO_TARGET_DIR CARGO_BUILD_TARGET_DIR
cleanup() { [ "$KEEP" = 1 ] || rm -rf "$WORK"; }
trap cleanup EXIT

now() { date +%s.%N; }
clone() { git clone -q --no-checkout "$ROOT" "$1" && git -C "$1" checkout -q "$REV"; }
profile_flag=""; [ "$APIGEN_PROFILE" = release ] && profile_flag=--release
busy_ticks() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9}' /proc/stat; }
# Sets OUR_CPU: CPU seconds of this shell's waited-for children (cargo waits for rustc,
# cc, ...). `times` must run in this shell: in a $(...) subshell it would count only that
# subshell's children, none.
our_cpu() {
  times > "$WORK/.times"
  OUR_CPU=$(awk 'END {split($1,u,/[ms]/); split($2,s,/[ms]/); print u[1]*60+u[2]+s[1]*60+s[2]}' "$WORK/.times")
}
load() { cut -d' ' -f1-3 /proc/loadavg; }

# phase REP WHAT COMMAND...: runs COMMAND, appends one line to results.tsv.
phase() {
  local rep=$1 what=$2; shift 2
  local l0 b0 c0 t0 t1
  l0=$(load); b0=$(busy_ticks); our_cpu; c0=$OUR_CPU; t0=$(now)
  "$@"
  t1=$(now)
  record "$rep" "$what" "$t0" "$t1" "$b0" "$c0" "$l0"
}
record() {
  local rep=$1 what=$2 t0=$3 t1=$4 b0=$5 c0=$6 l0=$7 b1 c1
  b1=$(busy_ticks); our_cpu; c1=$OUR_CPU
  python3 - "$rep" "$what" "$t0" "$t1" "$b0" "$b1" "$c0" "$c1" "$HZ" "$l0" "$(load)" >> "$OUT/results.tsv" <<'PY'
import sys
rep, what, t0, t1, b0, b1, c0, c1, hz, l0, l1 = sys.argv[1:]
wall = float(t1) - float(t0)
ours = float(c1) - float(c0)
other = (int(b1) - int(b0)) / int(hz) - ours
print(f"{rep}\t{what}\t{wall:.1f}\t{ours:.1f}\t{max(other, 0):.1f}\t{l0}\t{l1}")
PY
  tail -1 "$OUT/results.tsv"
}

ceiling() {
  local rep=$1 dir=$WORK/$1/ceiling
  rm -rf "$dir"; mkdir -p "$dir"
  clone "$dir/clone"
  cp -r "$dir/clone/bench/axum_ceiling" "$dir/app"
  (cd "$dir/app" && phase "$rep" ceiling_build env CARGO_TARGET_DIR="$dir/target" cargo build --locked -q)
  rm -rf "$dir"
}

first_run() {
  local rep=$1 dir=$WORK/$1/first
  rm -rf "$dir"; mkdir -p "$dir"
  local l0 b0 c0 t0
  l0=$(load); b0=$(busy_ticks); our_cpu; c0=$OUR_CPU; t0=$(now)
  phase "$rep" clone clone "$dir/apigen"
  cd "$dir/apigen"
  phase "$rep" apigen_build env CARGO_TARGET_DIR="$dir/target-apigen" cargo build -q $profile_flag
  phase "$rep" apigen_new env CARGO_TARGET_DIR="$dir/target-apigen" cargo run -q $profile_flag -- new "$dir/myapi" --yes
  cd "$dir/myapi"
  serve_until_200 "$rep" project_build start_to_200 "http://127.0.0.1:$PORT/health" "$dir/run.log" \
    env CARGO_TARGET_DIR="$dir/target-project" PORT=$PORT cargo run
  record "$rep" first_run_total "$t0" "$T200" "$b0" "$c0" "$l0"
  cd "$ROOT"
  rm -rf "$dir"
}

# serve_until_200 REP BUILD_PHASE START_PHASE URL LOG COMMAND...: runs COMMAND (a
# `cargo run`) in the background, records BUILD_PHASE until cargo prints "Running" and
# START_PHASE until URL answers 200, then stops the server; sets T200.
serve_until_200() {
  local rep=$1 build_phase=$2 start_phase=$3 url=$4 log=$5; shift 5
  local lp bp cp tp
  lp=$(load); bp=$(busy_ticks); our_cpu; cp=$OUR_CPU; tp=$(now)
  "$@" > "$log" 2>&1 &
  local cargo_pid=$! built=""
  T200=""
  while kill -0 "$cargo_pid" 2>/dev/null; do
    if [ -z "$built" ] && grep -q '^ *Running `' "$log"; then built=$(now); fi
    if [ -n "$built" ] && [ "$(curl -s -o /dev/null -w '%{http_code}' "$url")" = 200 ]; then
      T200=$(now); break
    fi
    sleep 0.1
  done
  # On Unix `cargo run` execs the binary, so $cargo_pid is the server itself
  # (older cargos spawned it as a child instead).
  pkill -P "$cargo_pid" 2>/dev/null || kill "$cargo_pid" 2>/dev/null || true
  wait "$cargo_pid" || true
  if [ -z "$T200" ]; then echo "$url never answered 200; log: $log" >&2; tail -20 "$log" >&2; exit 1; fi
  record "$rep" "$build_phase" "$tp" "$built" "$bp" "$cp" "$lp"
  # (the CPU time of start-up is counted in the build phase's: cargo is waited for once)
  our_cpu
  record "$rep" "$start_phase" "$built" "$T200" "$(busy_ticks)" "$OUR_CPU" "$lp"
}

# The peer's first run, as its README gives it: `cargo install loco`, `loco new` (an API
# app on SQLite), `cargo loco start` until `/_ping` answers 200.
peer() {
  local rep=$1 dir=$WORK/$1/peer
  rm -rf "$dir"; mkdir -p "$dir"
  local l0 b0 c0 t0
  l0=$(load); b0=$(busy_ticks); our_cpu; c0=$OUR_CPU; t0=$(now)
  phase "$rep" peer_install env CARGO_TARGET_DIR="$dir/target-install" \
    cargo install -q loco --version "$LOCO_VERSION" --locked --root "$dir/bin"
  phase "$rep" peer_new "$dir/bin/bin/loco" new -p "$dir" -n myapp --db sqlite --bg async --assets none
  cd "$dir/myapp"
  serve_until_200 "$rep" peer_build peer_start_to_200 "http://127.0.0.1:$PORT/_ping" "$dir/run.log" \
    env CARGO_TARGET_DIR="$dir/target-project" PORT=$PORT BINDING=127.0.0.1 cargo loco start
  record "$rep" peer_first_run_total "$t0" "$T200" "$b0" "$c0" "$l0"
  cd "$ROOT"
  rm -rf "$dir"
}

printf 'rep\tphase\twall_s\tour_cpu_s\tother_cpu_s\tload_before\tload_after\n' > "$OUT/results.tsv"
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(rustc -V)" | tee "$OUT/machine.txt"
echo "apigen: $REV (cloned), apigen built in the $APIGEN_PROFILE profile" | tee -a "$OUT/machine.txt"
for rep in $(seq 1 "$REPS"); do
  runs=(ceiling first_run)
  [ "$PEER" = loco ] && runs+=(peer)
  # The order alternates: forwards in odd repetitions, backwards in even ones.
  if [ $((rep % 2)) = 0 ]; then runs=($(printf '%s\n' "${runs[@]}" | tac)); fi
  for run in "${runs[@]}"; do "$run" "$rep"; done
done

python3 - "$OUT/results.tsv" <<'PY'
import csv, sys, statistics
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
by = {}
for r in rows:
    by.setdefault(r["phase"], []).append(float(r["wall_s"]))
print("\nphase               median s   (all)")
for p, xs in by.items():
    print(f"{p:<18} {statistics.median(xs):9.1f}   {', '.join(f'{x:.1f}' for x in xs)}")
reps = sorted({r["rep"] for r in rows})
walls = [{r["phase"]: float(r["wall_s"]) for r in rows if r["rep"] == rep} for rep in reps]

def ratios(numerator, denominator):
    """NUMERATOR's wall time ÷ DENOMINATOR's, per repetition that has both."""
    return [w[numerator] / w[denominator] for w in walls if numerator in w and denominator in w]

def listed(xs):
    return ", ".join(f"{x:.2f}" for x in xs)

if first := ratios("first_run_total", "ceiling_build"):
    print(f"\nfirst run ÷ ceiling's cold build, per repetition: {listed(first)}"
          f" (median {statistics.median(first):.2f}; target ≤ 1.7)")
if builds := ratios("project_build", "ceiling_build"):
    print(f"project build ÷ ceiling's cold build: {listed(builds)} (target ≤ 1.25)")
if peers := ratios("peer_first_run_total", "first_run_total"):
    print(f"the peer's first run ÷ ours: {listed(peers)}")
PY
echo "results: $OUT/results.tsv"
