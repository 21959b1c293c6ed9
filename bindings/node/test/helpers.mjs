// Helpers of the Node suites, mirroring crates/lpchat/tests/e2e/common.rs: an emulator and a
// client per format, waiting for an event with a deadline, polling state the server shows
// with no event.
import { Client } from 'lpchat'
import { Emulator, clientOptions, APP_KEY, agent } from 'lpchat/testing'

export const FORMATS = ['json', 'xml']

/** An emulator (time factor 10) and a client in `format`. */
export async function setup(seed, format, emulatorOptions = {}) {
  const emu = await Emulator.start({ seed, timeFactor: 10, ...emulatorOptions })
  const client = new Client(emu.account, clientOptions(emu, { format }))
  return { emu, client }
}

/** The first event matching `pred` within `ms`; throws on a lost or finished session. */
export async function waitFor(stream, pred, ms = 20000) {
  const until = Date.now() + ms
  for (;;) {
    let timer
    const left = until - Date.now()
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out waiting (${ms} ms)`)), Math.max(left, 0))
    })
    let ev
    try {
      ev = await Promise.race([stream.next(), timeout])
    } finally {
      clearTimeout(timer)
    }
    if (ev === null) throw new Error('session finished')
    if (pred(ev)) return ev
    if (ev.type === 'sessionLost') throw new Error(`session lost: ${JSON.stringify(ev.reason)}`)
  }
}

/** Polls `check` every 100 ms until it returns a value other than undefined, at most 20 s. */
export async function eventually(what, check, ms = 20000) {
  const until = Date.now() + ms
  for (;;) {
    const v = await check()
    if (v !== undefined) return v
    if (Date.now() > until) throw new Error(`timed out: ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** Starts an agent session and waits until it has started; returns it with its stream. */
export async function agentSession(client, credentials = agent(1), options = {}) {
  const session = await client.agentSession(credentials, options)
  const events = session.events()
  await waitFor(events, (e) => e.type === 'agentSessionStarted')
  return { session, events }
}

export async function visitor(client) {
  return client.visitor(APP_KEY)
}

/** The next accepted chat's id. */
export async function accepted(events) {
  return (await waitFor(events, (e) => e.type === 'chatAccepted')).chat
}

/** The lines a stream delivers until its chat ends. */
export async function linesUntilEnd(events) {
  const seen = []
  for (;;) {
    const e = await waitFor(events, (e) => e.type === 'chatEvent' || e.type === 'chatEnded')
    if (e.type === 'chatEnded') return seen
    if (e.event.type === 'line') seen.push(e.event)
  }
}

/** How many agent sessions the emulator holds alive. */
export function aliveSessions(emu) {
  return (emu.state().agentSessions ?? []).filter((s) => s.alive === true).length
}
