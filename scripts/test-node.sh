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

step "node: the built package installs into another project (npm install <path>)"
pkg=$(pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(
  cd "$tmp"
  npm init -y >/dev/null
  npm install --no-audit --no-fund "$pkg"
  node --input-type=module -e "
    import { Client, decode } from 'lpchat'
    import { Emulator, clientOptions, agent } from 'lpchat/testing'
    const emu = await Emulator.start()
    const session = await new Client(emu.account, clientOptions(emu)).agentSession(agent(1))
    for await (const ev of session.events()) if (ev.type === 'agentSessionStarted') break
    await session.close()
    await emu.close()
    if (decode('visitor-name', '{\"visitorName\":\"Ann\"}') !== 'Ann') throw new Error('decode')
    console.log('installed package works')
  "
)

step "node: node --test"
npm test
