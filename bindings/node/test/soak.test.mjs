// The echo bot and the soak through the binding: an API-key bot (auto-accept) answers every
// visitor line of scripted visitors; under the default fault mix (5xx, 429, dropped and cut
// answers, repeated events) and a bearer that expires during the run, the emulator's
// transcripts (the ground truth, as in crates/lpchat/examples/soak.rs) show every event
// delivered once and every line sent once.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Client } from 'lpchat'
import { Emulator, clientOptions, BOT, agent } from 'lpchat/testing'

/** How many times a bot sends a line whose retries ran out. */
const SENDS_PER_LINE = 3

/**
 * Sends a line again when the client says it certainly did not happen (`gave_up`), never when
 * its outcome is unknown: the rule of `lpchat demo`'s bot, and why a soak needs it, in
 * docs/reliability.md ("A line is in the chat exactly once").
 */
async function sendLine(session, chat, text) {
  for (let sends = 1; ; sends += 1) {
    try {
      return await session.sendLine(chat, text)
    } catch (e) {
      if (e.reason !== 'gave_up' || sends >= SENDS_PER_LINE) throw e
    }
  }
}

/** Runs an echo bot until `visitors` chats ended; returns what it delivered and sent. */
async function echo(emu, client, credentials, visitors, deadlineMs) {
  const session = await client.agentSession(credentials, { autoAccept: true })
  const group = emu.runVisitors({
    visitors,
    lines: ['hello', 'bye'],
    paceMs: 500,
    startIntervalMs: 300,
    answerTimeoutMs: 3000000,
  })
  const delivered = {}
  const sent = []
  const sends = []
  let ended = 0
  let loggedIn = 0
  // Past the deadline the session is closed, which ends the stream and fails the run.
  let late = false
  const deadline = setTimeout(() => {
    late = true
    session.close()
  }, deadlineMs)
  for await (const ev of session.events()) {
    if (ev.type === 'chatEvent') {
      ;(delivered[ev.chat] ??= []).push(ev.event.id)
      if (ev.event.type === 'line' && ev.event.source === 'visitor') {
        const text = `echo: ${ev.event.text} #${ev.event.id}`
        sent.push([ev.chat, text])
        // A line to a chat the visitor already ended may be refused: not a loss.
        sends.push(sendLine(session, ev.chat, text).catch((e) => e))
      }
    } else if (ev.type === 'chatEnded') {
      ended += 1
      if (ended === visitors) break
    } else if (ev.type === 'loggedIn') {
      loggedIn += 1
    } else if (ev.type === 'sessionLost') {
      throw new Error(`session lost: ${JSON.stringify(ev.reason)}`)
    }
  }
  clearTimeout(deadline)
  assert.ok(!late, `deadline: ${ended} of ${visitors} chats ended`)
  const failures = (await Promise.all(sends)).filter((r) => r instanceof Error)
  await group.wait()
  const stats = session.stats()
  await session.close()
  return { delivered, sent, failures, stats, loggedIn }
}

test('echo bot: every visitor line answered once (no faults)', { timeout: 60000 }, async () => {
  const emu = await Emulator.start({ seed: 3, timeFactor: 10 })
  try {
  const client = new Client(emu.account, clientOptions(emu))
  const run = await echo(emu, client, agent(1), 3, 50000)
  assert.equal(run.failures.length, 0, run.failures.map(String).join('\n'))
  assert.equal(run.sent.length, 6, 'two lines from each of three visitors')
  const records = emu.visitorRecords()
  assert.equal(records.length, 3)
  for (const r of records) {
    const got = r.received.filter((x) => x.text.startsWith('echo: ')).map((x) => x.text.replace(/ #\d+$/, ''))
    assert.deepEqual(got, ['echo: hello', 'echo: bye'], JSON.stringify(r))
  }
  assert.deepEqual(emu.checkEvents([run.delivered]), { expected: emu.transcripts().reduce((n, t) => n + t.events.length, 0), lost: 0, doubled: 0 })
  } finally {
    await emu.close()
  }
})

test('soak under the default fault mix: 0 lost, 0 doubled events and lines', { timeout: 180000 }, async () => {
  // The bearer lives 60 emulated seconds (6 s real): it expires during the run.
  const emu = await Emulator.start({ seed: 11, timeFactor: 10, sessionTtlMs: 60000 })
  try {
  const ids = emu.addDefaultFaults()
  assert.equal(ids.length, 6)
  const client = new Client(emu.account, clientOptions(emu))
  const chats = 20
  const run = await echo(emu, client, BOT, chats, 150000)
  const events = emu.checkEvents([run.delivered])
  const lines = emu.checkSentLines(run.sent)
  const report = `events ${JSON.stringify(events)}, lines ${JSON.stringify(lines)}, stats ${JSON.stringify(run.stats)}`
  assert.equal(emu.transcripts().length, chats)
  assert.ok(events.expected > chats * 4, report)
  assert.equal(events.lost, 0, report)
  assert.equal(events.doubled, 0, report)
  assert.equal(lines.expected, chats * 2, report)
  assert.equal(lines.lost, 0, report)
  assert.equal(lines.doubled, 0, report)
  // The faults fired: the run went through retries, not around them.
  assert.ok(run.stats.retried > 0, report)
  assert.ok(emu.faults().some((f) => f.fired > 0), JSON.stringify(emu.faults()))
  } finally {
    // Symbol.asyncDispose is close(): what `await using` calls.
    await emu[Symbol.asyncDispose]()
    assert.ok(emu.closed)
  }
})
