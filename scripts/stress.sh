#!/usr/bin/env bash
# Reliability under CPU load: runs the Rust end-to-end suite, the soak and `lpchat demo
# --chaos` RUNS times each (default 10) while both cores are kept busy (stress-ng --cpu 2,
# installed from Debian's packages when missing; two shell busy loops where it cannot be had),
# and prints for each kind `N passed, M failed` runs. Exits non-zero when any run failed.
#
#   scripts/stress.sh            # all three, 10 runs each
#   scripts/stress.sh e2e 5      # one kind, 5 runs
#
# Not part of scripts/test.sh: it takes about 20 minutes on a 2-core machine. Logs of failed
# runs are kept in target/stress/.
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
runs=${2:-10}
logs=target/stress
mkdir -p "$logs"

step() { printf '\n==> %s\n' "$*"; }

step "building (debug tests, release soak and CLI)"
cargo test -p lpchat --test e2e --locked --no-run 2>&1 | tail -n 1
e2e=$(cargo test -p lpchat --test e2e --locked --no-run --message-format=json 2>/dev/null |
  sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -n 1)
# Two builds: with --example, cargo builds only that target of every package named.
cargo build --release --locked -p lpchat --example soak 2>&1 | tail -n 1
cargo build --release --locked -p lpchat-cli 2>&1 | tail -n 1
soak=target/release/examples/soak
cli=target/release/lpchat

load_pids=()
stop_load() {
  for p in "${load_pids[@]}"; do kill "$p" 2>/dev/null || true; done
}
trap stop_load EXIT
if ! command -v stress-ng >/dev/null 2>&1; then
  (apt-get update -qq && apt-get install -y -qq stress-ng) >/dev/null 2>&1 || true
fi
if command -v stress-ng >/dev/null 2>&1; then
  stress-ng --cpu 2 --timeout 0 -q &
  load_pids+=($!)
  echo "load: stress-ng --cpu 2"
else
  for _ in 1 2; do
    (while :; do :; done) &
    load_pids+=($!)
  done
  echo "load: two busy loops"
fi

failed_any=0
# Runs "$@" $runs times; a run passes when the command exits 0.
repeat() {
  local name=$1
  shift
  local passed=0 failed=0
  for i in $(seq 1 "$runs"); do
    local log="$logs/$name.$i.log"
    local start=$SECONDS
    if "$@" >"$log" 2>&1; then
      passed=$((passed + 1))
      echo "$name run $i: ok ($((SECONDS - start)) s) $(grep -E '^events:|lost|test result' "$log" | tail -n 1)"
      rm -f "$log"
    else
      failed=$((failed + 1))
      echo "$name run $i: FAILED ($((SECONDS - start)) s), log in $log"
    fi
  done
  echo "$name: $passed passed, $failed failed"
  [ "$failed" = 0 ] || failed_any=1
}

case $what in
  all | e2e) step "e2e suite x$runs under load"; repeat e2e "$e2e" ;;&
  all | soak) step "soak x$runs under load"; repeat soak "$soak" --chats 200 --faults default ;;&
  all | demo) step "demo --chaos x$runs under load"; repeat demo "$cli" demo --chaos ;;
  e2e | soak) ;;
  *) echo "usage: scripts/stress.sh [all|e2e|soak|demo] [runs]" >&2; exit 2 ;;
esac
exit "$failed_any"
