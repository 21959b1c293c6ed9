// A process that uses a session with handlers and an event loop exits by itself after
// close(): no threadsafe function, timer or socket of the binding keeps Node alive. The
// child must exit within a deadline, with code 0, without process.exit().
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const here = fileURLToPath(new URL('.', import.meta.url))

function run(script, deadlineMs) {
  return new Promise((resolve) => {
    const started = Date.now()
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: here, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d) => { out += d })
    child.stderr.on('data', (d) => { out += d })
    const timer = setTimeout(() => child.kill('SIGKILL'), deadlineMs)
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, out, ms: Date.now() - started })
    })
  })
}

const prelude = `
import { Client } from 'lpchat'
import { Emulator, clientOptions, agent, APP_KEY } from 'lpchat/testing'
const emu = await Emulator.start({ timeFactor: 10 })
const client = new Client(emu.account, clientOptions(emu))
`

test('a process exits by itself after close() (handlers, stream, visitor chat)', { timeout: 60000 }, async () => {
  const script = `${prelude}
const session = await client.agentSession(agent(1), { autoAccept: true })
let handled = 0
session.onAny(() => { handled++ }).onChatEvent(() => {}).onSession(() => {}).onChatEnded(() => {})
const events = session.events()
for await (const ev of events) if (ev.type === 'agentSessionStarted') break
const visitor = await client.visitor(APP_KEY)
const chat = await visitor.requestChat({ skill: 'Sales' })
chat.events()
await chat.sendLine('hello')
await chat.close()
await session.close()
await emu.close()
console.log('closed', handled > 0)
`
  const r = await run(script, 20000)
  assert.equal(r.signal, null, `killed at the deadline: the process hung after close()\n${r.out}`)
  assert.equal(r.code, 0, r.out)
  assert.match(r.out, /closed true/)
})

test('a process exits by itself when the emulator is closed and the session dropped', { timeout: 60000 }, async () => {
  // Never closed explicitly: the handles go with the process; a session's task must not
  // hold the loop open.
  const script = `${prelude}
const session = await client.agentSession(agent(1))
session.onAny(() => {})
await emu.close()
console.log('done')
`
  const r = await run(script, 20000)
  assert.equal(r.signal, null, `killed at the deadline\n${r.out}`)
  assert.equal(r.code, 0, r.out)
})

test('closed() keeps a handler-only bot alive until its session finishes, then lets it exit', { timeout: 60000 }, async () => {
  // Nothing but handlers and closed(): without closed() the process would end at once,
  // with the top-level await unsettled (exit code 13).
  const script = `${prelude}
const session = await client.agentSession(agent(1), { autoAccept: true })
session
  .onChatEvent((chat, ev) => { if (ev.type === 'line' && ev.source === 'visitor') session.sendLine(chat, 'ok') })
  .onChatEnded(() => session.close())
emu.runVisitors({ visitors: 1, lines: ['hi'], paceMs: 200 })
await session.closed()
await emu.close()
console.log('finished')
`
  const r = await run(script, 30000)
  assert.equal(r.signal, null, `killed at the deadline\n${r.out}`)
  assert.equal(r.code, 0, r.out)
  assert.match(r.out, /finished/)
})
