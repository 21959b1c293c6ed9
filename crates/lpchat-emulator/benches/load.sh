#!/usr/bin/env bash
# Load benchmark of the emulator's events-poll endpoint (A15) from a second process over
# loopback: starts the release binary, prepares one accepted chat with 9 events, then runs
# wrk against GET .../chat/{c}/events.json?from=0 with the agent's bearer.
#
#   crates/lpchat-emulator/benches/load.sh            # 10 s, 1 wrk thread, 32 connections
#   DURATION=30s CONNECTIONS=64 crates/lpchat-emulator/benches/load.sh
#
# Needs wrk (Debian: apt-get install wrk). Prints wrk's report; "Requests/sec" is the figure.
set -euo pipefail
cd "$(dirname "$0")/../../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target-emu}"
PORT="${PORT:-18765}"
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-32}"
THREADS="${THREADS:-1}"
command -v wrk >/dev/null || { echo "wrk not found (apt-get install wrk)" >&2; exit 1; }
cargo build --release -p lpchat-emulator --bin lpchat-emulator --example load_setup
"$CARGO_TARGET_DIR/release/lpchat-emulator" --port "$PORT" > /tmp/lpchat-emulator-load.log 2>&1 &
EMU=$!
trap 'kill "$EMU" 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q listening /tmp/lpchat-emulator-load.log && break; sleep 0.1; done
SETUP="$("$CARGO_TARGET_DIR/release/examples/load_setup" "http://127.0.0.1:$PORT")"
URL="$(sed -n 's/^URL=//p' <<<"$SETUP")"
AUTH="$(sed -n 's/^AUTH=//p' <<<"$SETUP")"
echo "polling $URL"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -H "Authorization: $AUTH" -H "Accept: application/json" "$URL"
