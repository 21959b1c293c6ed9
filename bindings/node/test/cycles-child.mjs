// Child of cycles.test.mjs: opens and closes agent sessions against the emulator of the
// parent process (so the emulator's records of sessions are not in this process's memory)
// and prints, as JSON, memory after a warm-up and after the rest, how many session and
// stream objects are still alive, and how many handler callbacks are still held.
import { Client, _liveHandlers, _liveObjects } from 'lpchat'

const [url, account, total, warmup, parallel] = process.argv.slice(2)
const client = new Client(account, { domainOrigin: url, retry: { scheduleMs: [100, 200, 400], outerMs: 500 } })

async function cycle() {
  const session = await client.agentSession({ user: 'agent1', password: 'password' }, { initialAvailability: null })
  let seen = 0
  if (process.env.H !== 'none') session.onAny(() => { seen++ }).onChatEvent(() => {})
  const events = session.events()
  for await (const ev of events) {
    if (ev.type === 'agentSessionStarted') break
    if (ev.type === 'sessionLost') throw new Error(JSON.stringify(ev))
  }
  await session.close()
  // The stream ends once the session has finished.
  for await (const _ of events);
}

async function run(n) {
  let next = 0
  const lanes = Array.from({ length: Number(parallel) }, async () => {
    while (next < n) {
      next++
      await cycle()
    }
  })
  await Promise.all(lanes)
}

async function measure() {
  // Let finalizers run (a napi object's Rust side is dropped when it is collected).
  for (let i = 0; i < 10; i++) {
    global.gc()
    await new Promise((r) => setTimeout(r, 20))
  }
  const m = process.memoryUsage()
  // RSS less V8's committed heap: the memory of the addon, libuv and the allocator.
  return { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, native: m.rss - m.heapTotal }
}

const started = Date.now()
await run(Number(warmup))
const before = await measure()
await run(Number(total) - Number(warmup))
const after = await measure()
console.log(JSON.stringify({ before, after, cycles: Number(total), ms: Date.now() - started, live: _liveObjects(), liveHandlers: _liveHandlers() }))
