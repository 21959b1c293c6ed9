#!/usr/bin/env bash
# Builds every fuzz target and runs each for $1 seconds (default 30), seeded from
# tests/fixtures. Fails on the first crash. Installs cargo-fuzz when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "installing cargo-fuzz"
  cargo install cargo-fuzz --locked --version '^0.13'
fi

# libFuzzer with AddressSanitizer wants nightly; stable works without a sanitizer.
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  fuzz=(cargo +nightly fuzz)
  sanitizer=()
else
  fuzz=(cargo fuzz)
  sanitizer=(-s none)
fi

cd fuzz
targets=$("${fuzz[@]}" list)
"${fuzz[@]}" build "${sanitizer[@]}" --release
seeds=()
for d in ../tests/fixtures/*/; do seeds+=("$d"); done
for t in $targets; do
  echo "fuzz: $t for ${seconds}s"
  mkdir -p "corpus/$t"
  log="artifacts/$t.log"
  mkdir -p artifacts
  status=0
  "${fuzz[@]}" run "${sanitizer[@]}" --release "$t" "corpus/$t" "${seeds[@]}" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=262144 -timeout=10 \
    -print_final_stats=1 >"$log" 2>&1 || status=$?
  grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb)' "$log" || true
  if [ "$status" -ne 0 ]; then
    tail -n 60 "$log" >&2
    echo "fuzz: $t failed (exit $status); inputs in fuzz/artifacts/$t" >&2
    exit 1
  fi
done
echo "fuzz: all targets ran ${seconds}s each without a crash"
