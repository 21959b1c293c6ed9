// Resume from a cursor token taken mid-chat (as crates/lpchat/tests/e2e/resume.rs): a second
// session of the agent, started with `resumeFrom`, delivers exactly the transcript's events
// after the token's position, none repeated, none from before; in JSON and XML. A visitor
// chat resumed from its resume point goes on too.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { tokenPosition, agent } from 'lpchat/testing'
import { FORMATS, setup, waitFor, agentSession, visitor as visitorOf, accepted } from './helpers.mjs'

async function collect(events, ids, done) {
  for (;;) {
    const e = await waitFor(events, () => true)
    if (e.type === 'chatEvent') ids.set(e.event.id, (ids.get(e.event.id) ?? 0) + 1)
    if (done(ids, e)) return
  }
}

async function scenario(format) {
  const { emu, client } = await setup(81, format)
  try {
    const first = await agentSession(client, agent(1), { autoAccept: true })
    const visitor = await visitorOf(client)
    const vchat = await visitor.requestChat({ skill: 'Sales' })
    const chat = await accepted(first.events)

    // The visitor keeps writing while the sessions change hands.
    const writer = (async () => {
      for (let n = 0; n < 8; n++) {
        await vchat.sendLine(`line ${n}`)
        await new Promise((r) => setTimeout(r, 300))
      }
      await vchat.end()
    })()

    const before = new Map()
    await collect(first.events, before, (ids) => ids.size >= 5)
    const token = await first.session.cursorToken()
    const position = Number(tokenPosition(token, chat))
    assert.ok(Number.isInteger(position), token)

    const second = await agentSession(client, agent(1), { resumeFrom: token })
    await first.session.close()
    await collect(first.events, before, (_, e) => e.type === 'closed')
    const after = new Map()
    await collect(second.events, after, (_, e) => e.type === 'chatEnded')
    await writer

    const transcript = emu.transcript(chat).events.map((e) => e.id)
    const expectedAfter = transcript.filter((id) => id > position)
    const expectedBefore = transcript.filter((id) => id <= position)
    assert.ok(expectedAfter.length > 0, 'the token was taken mid-chat')
    assert.deepEqual([...after.keys()].map(Number).sort((a, b) => a - b), expectedAfter, 'none skipped, none from before')
    assert.ok([...after.values()].every((n) => n === 1), 'none repeated')
    assert.deepEqual([...before.keys()].map(Number).filter((id) => id <= position).sort((a, b) => a - b), expectedBefore)
    await second.session.close()
  } finally {
    await emu.close()
  }
}

test('a session resumed from a cursor token repeats and skips nothing (JSON and XML)', { timeout: 90000 }, async () => {
  await Promise.all(FORMATS.map(scenario))
})

test('a visitor chat resumed from its resume point goes on', { timeout: 60000 }, async () => {
  const { emu, client } = await setup(82, 'json')
  try {
    const a = await agentSession(client, agent(1), { autoAccept: true })
    const visitor = await visitorOf(client)
    const v = await visitor.requestChat({ skill: 'Sales' })
    const chat = await accepted(a.events)
    await a.session.sendLine(chat, 'first')
    const vEvents = v.events()
    await waitFor(vEvents, (e) => e.type === 'chatEvent' && e.event.text === 'first')
    const point = await v.resumePoint()
    assert.match(point.href, /^http:\/\/127\.0\.0\.1:\d+\//)
    const resumed = await visitor.resumeChat(point.href, point.token)
    assert.equal(resumed.id, v.id)
    await a.session.sendLine(chat, 'second')
    const got = await waitFor(resumed.events(), (e) => e.type === 'chatEvent' && e.event.type === 'line')
    assert.equal(got.event.text, 'second', 'the resumed chat starts after the point, not before')
    await resumed.close()
    await a.session.close()
  } finally {
    await emu.close()
  }
})
