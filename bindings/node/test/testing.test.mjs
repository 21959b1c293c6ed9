// lpchat/testing as a user's suite drives it, and the session operations the other files do
// not reach: quirks (the client reads every documented wire shape), fault rules added,
// listed with their firing counts, removed and cleared, expired logins (the session logs in
// again and goes on), transcripts and visitor records, follow/unfollow of a chat through a
// second session of the agent, the forced-away policy, VisitorChat.poll(), the wire
// switches, and a closed emulator.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Client, LpchatError } from 'lpchat'
import { Emulator, clientOptions, agent, APP_KEY } from 'lpchat/testing'
import { waitFor, eventually, agentSession, accepted, linesUntilEnd } from './helpers.mjs'

test('quirks, wire switches, faults, expired logins, transcripts (JSON and XML)', { timeout: 90000 }, async () => {
  await Promise.all(['json', 'xml'].map(async (format) => {
    const emu = await Emulator.start({
      seed: 21,
      timeFactor: 10,
      // Every documented shape at once: `@` attributes, bare one-item lists, numbers as strings.
      quirks: { atPrefix: { chatSessions: true, chats: true, visitorInfo: true }, collapseOthers: true, allNumbers: 'string' },
    })
    try {
      assert.equal(emu.quirks().collapseOthers, true)
      emu.setQuirks({ suffix: 'override' })
      assert.equal(emu.quirks().allNumbers, 'string', 'a patch merges into the quirks in force')
      const client = new Client(emu.account, clientOptions(emu, { format, wire: { formatSuffix: true, realVerbs: format === 'xml', requestedWith: true } }))
      const { session, events } = await agentSession(client, agent(1), { autoAccept: true })

      // A rule on the availability reads fires, is listed with its count, and is removed.
      const id = emu.addFault({ route: '*/availability', method: 'GET', type: 'status', status: 503, count: 1 })
      assert.equal((await session.availability()).chat, 'Online', 'a 503 is retried')
      assert.equal(emu.faults().find((f) => f.id === id), undefined, 'a counted rule goes once spent')
      const kept = emu.addFault({ route: '*/nothing-matches', type: 'drop' })
      assert.deepEqual(emu.faults().map((f) => f.id), [kept])
      assert.equal(emu.removeFault(kept), true)
      assert.equal(emu.removeFault(kept), false)
      emu.addDefaultFaults()
      emu.clearFaults()
      assert.deepEqual(emu.faults(), [])

      const visitor = await client.visitor(APP_KEY)
      const chat = await visitor.requestChat({ skill: 'Sales' })
      const chatId = await accepted(events)
      assert.equal(chatId, chat.id)

      // Logins expire: the bearer is refused, the session logs in again and goes on.
      emu.expireLogins()
      await chat.sendLine('after the expiry')
      await waitFor(events, (e) => e.type === 'loggedIn')
      const line = await waitFor(events, (e) => e.type === 'chatEvent' && e.event.text === 'after the expiry')
      assert.equal(line.chat, chatId)
      assert.equal(typeof (await session.agentInfo()).loginName, 'string', 'one-off calls go on too')

      // The visitor reads what came without waiting (poll); the stream is not taken.
      await session.sendLine(chatId, 'polled')
      const polled = await eventually('the visitor polls the line', async () => {
        const got = chat.poll().filter((e) => e.type === 'line' && e.text === 'polled')
        return got.length ? got : undefined
      })
      assert.equal(polled.length, 1)

      await chat.end()
      await waitFor(events, (e) => e.type === 'chatEnded' && e.chat === chatId)
      const t = emu.transcript(chatId)
      assert.equal(t.chatId, chatId)
      assert.equal(t.state, 'ended')
      assert.ok(t.events.some((e) => e.text === 'after the expiry'))
      assert.deepEqual(emu.transcripts().map((x) => x.chatId), [chatId])
      assert.equal(emu.transcript('H-unknown'), null)
      assert.ok(emu.nowMs() > 0)
      await session.close()
    } finally {
      await emu[Symbol.asyncDispose]()
    }
    // A closed emulator says so.
    assert.ok(emu.closed)
    assert.throws(() => emu.transcripts(), (e) => e instanceof LpchatError && e.code === 'LPCHAT_CLOSED')
  }))
})

test('follow and unfollow a chat through a second session of the agent; forced-away policy', { timeout: 90000 }, async () => {
  const emu = await Emulator.start({ seed: 23, timeFactor: 10 })
  try {
    const client = new Client(emu.account, clientOptions(emu))
    const a = await agentSession(client, agent(1), { autoAccept: true })
    const b = await agentSession(client, agent(1), { initialAvailability: null })
    b.session.setForcedAwayPolicy('adopt')
    assert.throws(() => b.session.setForcedAwayPolicy('sometimes'), (e) => e.code === 'LPCHAT_CONFIG')
    const visitor = await client.visitor(APP_KEY)
    const v = await visitor.requestChat({ skill: 'Sales' })
    const vEvents = v.events()
    const chat = await accepted(a.events)

    // B adopts the chat A holds (A12 continuity): its events come on B's stream, and B can
    // write to it.
    const sessions = await b.session.chatSessions()
    assert.ok(sessions.chatSession.some((s) => s.chatSessionKey === chat), JSON.stringify(sessions))
    b.session.follow(chat)
    await v.sendLine('for both')
    await waitFor(b.events, (e) => e.type === 'chatEvent' && e.chat === chat && e.event.text === 'for both')
    assert.deepEqual(await b.session.chats(), [chat])
    await b.session.sendLine(chat, 'from the second device')
    await waitFor(vEvents, (e) => e.type === 'chatEvent' && e.event.text === 'from the second device')

    // Unfollowed: no longer polled by B, reported as such; A goes on.
    b.session.unfollow(chat)
    const left = await waitFor(b.events, (e) => e.type === 'chatEnded' && e.chat === chat)
    assert.equal(left.reason.kind, 'unfollowed')
    assert.deepEqual(await b.session.chats(), [])
    await v.sendLine('only for A')
    await waitFor(a.events, (e) => e.type === 'chatEvent' && e.event.text === 'only for A')
    await a.session.endChat(chat)
    await linesUntilEnd(vEvents)
    const texts = emu.transcript(chat).events.map((e) => e.text)
    assert.equal(texts.filter((t) => t === 'from the second device').length, 1, 'sent once, through B')
    await a.session.close()
    await b.session.close()
  } finally {
    await emu.close()
  }
})
