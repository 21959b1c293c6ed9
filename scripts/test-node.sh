#!/usr/bin/env bash
# The Node package (bindings/node): installs its npm dependencies (from the committed lock),
# builds the addon with napi-rs (release, its own --target output dir) and runs its suite
# with node's test runner. Works on a fresh machine with Rust, Node >= 20 and npm.
set -euo pipefail
cd "$(dirname "$0")/../bindings/node"

step() { printf '\n==> %s\n' "$*"; }

step "node: npm install (from package-lock.json)"
# `npm ci` rejects the lock @napi-rs/cli writes (toolchain-notes.md); install respects it.
npm install --no-audit --no-fund

step "node: napi build (release)"
npm run build

step "node: node --test"
npm test
