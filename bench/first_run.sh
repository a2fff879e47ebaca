#!/usr/bin/env bash
# "The first run": how long the README's first command takes from a clean clone to
# the first 200 from the generated API, next to the cold debug build of the bare axum
# + sqlx app (bench/axum_ceiling). See docs/performance.md, "The first run".
#
#   bash bench/first_run.sh              # REPS=2: ceiling, first run, first run, ceiling, ...
#   REPS=1 bash bench/first_run.sh
#   REV=abecb89 APIGEN_PROFILE=release bash bench/first_run.sh   # before: the old README command
#
# Each repetition measures both, back to back, the order alternating (ceiling first
# in odd repetitions), so that a change in the machine's load hits both alike:
#
#   first run: git clone (REV, default HEAD) into an empty temp dir, then the
#              README's command with empty target dirs:
#                cargo build                         (apigen, dev profile)
#                cargo run -- new $W/myapi --yes     (the README runs these two as one `cargo run`)
#                cd $W/myapi && cargo run            (until `curl /health` answers 200)
#   ceiling:   cp -r bench/axum_ceiling (from the same clone); cargo build --locked
#              with an empty target dir.
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
# CPU seconds of this shell's waited-for children (cargo waits for rustc, cc, ...).
our_cpu() { times | tail -1 | awk '{split($1,u,/[ms]/); split($2,s,/[ms]/); print u[1]*60+u[2]+s[1]*60+s[2]}'; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

# phase REP WHAT COMMAND...: runs COMMAND, appends one line to results.tsv.
phase() {
  local rep=$1 what=$2; shift 2
  local l0 b0 c0 t0 t1
  l0=$(load); b0=$(busy_ticks); c0=$(our_cpu); t0=$(now)
  "$@"
  t1=$(now)
  record "$rep" "$what" "$t0" "$t1" "$b0" "$c0" "$l0"
}
record() {
  local rep=$1 what=$2 t0=$3 t1=$4 b0=$5 c0=$6 l0=$7 b1 c1
  b1=$(busy_ticks); c1=$(our_cpu)
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
  l0=$(load); b0=$(busy_ticks); c0=$(our_cpu); t0=$(now)
  phase "$rep" clone clone "$dir/apigen"
  cd "$dir/apigen"
  phase "$rep" apigen_build env CARGO_TARGET_DIR="$dir/target-apigen" cargo build -q $profile_flag
  phase "$rep" apigen_new env CARGO_TARGET_DIR="$dir/target-apigen" cargo run -q $profile_flag -- new "$dir/myapi" --yes
  cd "$dir/myapi"
  # `cargo run` in the background; the build ends when cargo prints "Running".
  local lp bp cp tp log=$dir/run.log
  lp=$(load); bp=$(busy_ticks); cp=$(our_cpu); tp=$(now)
  env CARGO_TARGET_DIR="$dir/target-project" PORT=$PORT cargo run > "$log" 2>&1 &
  local cargo_pid=$! built="" t200=""
  while kill -0 "$cargo_pid" 2>/dev/null; do
    if [ -z "$built" ] && grep -q '^ *Running `' "$log"; then built=$(now); fi
    if [ -n "$built" ] && [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/health")" = 200 ]; then
      t200=$(now); break
    fi
    sleep 0.1
  done
  # On Unix `cargo run` execs the binary, so $cargo_pid is the server itself
  # (older cargos spawned it as a child instead).
  pkill -P "$cargo_pid" 2>/dev/null || kill "$cargo_pid" 2>/dev/null || true
  wait "$cargo_pid" || true
  if [ -z "$t200" ]; then echo "the generated project never answered 200; log: $log" >&2; tail -20 "$log" >&2; exit 1; fi
  record "$rep" project_build "$tp" "$built" "$bp" "$cp" "$lp"
  # (the CPU time of start-up is counted in project_build's: cargo is waited for once)
  record "$rep" start_to_200 "$built" "$t200" "$(busy_ticks)" "$(our_cpu)" "$lp"
  record "$rep" first_run_total "$t0" "$t200" "$b0" "$c0" "$l0"
  cd "$ROOT"
  rm -rf "$dir"
}

printf 'rep\tphase\twall_s\tour_cpu_s\tother_cpu_s\tload_before\tload_after\n' > "$OUT/results.tsv"
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(rustc -V)" | tee "$OUT/machine.txt"
echo "apigen: $REV (cloned), apigen built in the $APIGEN_PROFILE profile" | tee -a "$OUT/machine.txt"
for rep in $(seq 1 "$REPS"); do
  if [ $((rep % 2)) = 1 ]; then ceiling "$rep"; first_run "$rep"; else first_run "$rep"; ceiling "$rep"; fi
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
ratios = []
for rep in reps:
    get = {r["phase"]: float(r["wall_s"]) for r in rows if r["rep"] == rep}
    if "first_run_total" in get and "ceiling_build" in get:
        ratios.append(get["first_run_total"] / get["ceiling_build"])
if ratios:
    print(f"\nfirst run ÷ ceiling's cold build, per repetition: {', '.join(f'{x:.2f}' for x in ratios)}"
          f" (median {statistics.median(ratios):.2f}; target ≤ 1.10)")
PY
echo "results: $OUT/results.tsv"
