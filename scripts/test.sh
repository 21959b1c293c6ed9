#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run calls this script and nothing else).
# It installs what it needs (cargo-fuzz) and works on a fresh machine.
# FUZZ_SECONDS sets the time per fuzz target (default 30; 0 skips fuzzing for a quick local run).
set -euo pipefail
cd "$(dirname "$0")/.."
fuzz_seconds=${FUZZ_SECONDS:-30}

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo test"
cargo test --workspace --locked

step "the client's e2e suite again, over the emulator's TLS (its certificate as the only extra root)"
LPCHAT_E2E_TLS=1 cargo test -p lpchat --test e2e --locked

step "Python package (pytest and stubtest)"
scripts/test-python.sh

step "Node package (bindings/node)"
scripts/test-node.sh

step "cargo doc (warnings are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked

if [ "$fuzz_seconds" != 0 ]; then
  step "fuzzing, ${fuzz_seconds}s per target"
  scripts/fuzz.sh "$fuzz_seconds"
fi

step "all checks passed"
