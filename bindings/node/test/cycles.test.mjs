// 10,000 open/close cycles of an agent session (login, start, two handlers and the stream,
// close, logout) leave nothing behind: the session and stream objects are collected, no
// handler callback is held, and memory after the last cycle is within a bound of memory
// after the warm-up (JS heap in use, and RSS less V8's committed heap, i.e. native memory).
// The first version of the handlers (one threadsafe function per handler) failed the
// native bound: about 600 bytes a cycle that Node never gave back.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import { Emulator } from 'lpchat/testing'

const child = fileURLToPath(new URL('./cycles-child.mjs', import.meta.url))
const CYCLES = Number(process.env.LPCHAT_CYCLES ?? 10000)
const WARMUP = Math.min(1000, CYCLES / 5)

test(`${CYCLES} open/close cycles of a session keep memory flat`, { timeout: 300000 }, async (t) => {
  const emu = await Emulator.start({ timeFactor: 10 })
  try {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--expose-gc', child, emu.baseUrl, emu.account, String(CYCLES), String(WARMUP), '8'],
      { timeout: 280000 },
    )
    const r = JSON.parse(stdout.trim().split('\n').pop())
    const mib = (b) => (b / 1048576).toFixed(2)
    const native = r.after.native - r.before.native
    const heap = r.after.heapUsed - r.before.heapUsed
    t.diagnostic(`${r.cycles} cycles in ${(r.ms / 1000).toFixed(1)} s; RSS ${mib(r.before.rss)} -> ${mib(r.after.rss)} MiB; native ${mib(r.before.native)} -> ${mib(r.after.native)} MiB; heap used ${mib(r.before.heapUsed)} -> ${mib(r.after.heapUsed)} MiB; ${r.live} session/stream objects alive`)
    assert.equal(r.liveHandlers, 0, 'every handler callback was released with its session')
    // Finalizers run in batches after a collection; all but a batch must have run.
    assert.ok(r.live < 100, `${r.live} of ${2 * r.cycles} sessions and streams still alive`)
    const after = CYCLES - WARMUP
    // Native: under 400 bytes a cycle after the warm-up; heap: under 100.
    assert.ok(native < after * 400, `native memory grew ${mib(native)} MiB over ${after} cycles`)
    assert.ok(heap < after * 100, `heap in use grew ${mib(heap)} MiB over ${after} cycles`)
    assert.equal(emu.state().agentSessions.filter((s) => s.alive).length, 0, 'every session logged out')
  } finally {
    await emu.close()
  }
})
