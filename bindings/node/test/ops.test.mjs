// Every operation of the client against the in-process emulator, in JSON and in XML at once
// (as crates/lpchat/tests/e2e/{chat_ops,agent_ops,visitor_ops}.rs do): agent availability,
// forced Away, available agents (skill filter, `next` link), slots, incoming requests and
// accept, chat sessions, two chats polled at once, the chat resource, events, info,
// participant info (after a V9 conversation), a raw GET, visitor name and typing both
// ways, lines in plain, html, rich content and ONLY_TO_REP, the agent survey, transfer
// skills, transfers to a skill and to an agent, ends by agent and visitor, the exit survey,
// transcript and custom variables; the visitor's availability, slots, wait time and surveys.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Client } from 'lpchat'
import { Emulator, clientOptions, agent } from 'lpchat/testing'
import {
  FORMATS, setup, waitFor, eventually, agentSession, visitor as visitorOf, accepted,
  linesUntilEnd, aliveSessions,
} from './helpers.mjs'

const href = (links, rel) => [links ?? []].flat().find((l) => l.rel === rel)?.href

async function chatScenario(format) {
  const { emu, client } = await setup(51, format)
  try {
    const a1 = await agentSession(client, agent(1))
    const a2 = await agentSession(client, agent(2), { autoAccept: true, initialAvailability: 'Occupied' })
    const a3 = await agentSession(client, agent(3), { autoAccept: true })
    await waitFor(a2.events, (e) => e.type === 'availabilityChanged' && e.state === 'Occupied')

    // What agent1's and agent3's per-type handlers see.
    let offered = 0
    let lines = 0
    const taken = []
    const ended = []
    a1.session
      .onChatOffered(() => { offered += 1 })
      .onChatAccepted((chat) => taken.push(chat))
      .onChatEvent((chat, ev) => { if (ev.type === 'line') lines += 1 })
    a3.session.onChatEnded((chat) => ended.push(chat))

    // Visitor 1 is authenticated (V9), so its chat carries a participant id.
    const visitor = await visitorOf(client)
    const conversation = await visitor.createConversation({ ssoKey: 'sso-code' })
    const v1 = await visitor.requestChat({ skill: 'Sales', conversationId: conversation.split('/').pop() })
    const v1Events = v1.events()

    await waitFor(a1.events, (e) => e.type === 'chatOffered')
    assert.ok(Number((await a1.session.incomingRequests()).ringingCount) >= 1)
    const chat1 = await a1.session.acceptNext()
    assert.equal(chat1, v1.id)
    const v2 = await visitor.requestChat({ skill: 'Sales' })
    const v2Events = v2.events()
    await waitFor(a1.events, (e) => e.type === 'chatOffered')
    const chat2 = await a1.session.acceptNext()
    assert.equal(chat2, v2.id)
    assert.deepEqual((await a1.session.chats()).sort(), [chat1, chat2].sort())
    const sessions = await a1.session.chatSessions()
    assert.equal([sessions.chatSession].flat().length, 2, JSON.stringify(sessions))

    // Both chats are followed through one multi-chat poll.
    await v1.sendLine('one')
    await v2.sendLine('two')
    const heard = new Set()
    while (heard.size < 2) {
      const e = await waitFor(a1.events, (e) => e.type === 'chatEvent' && e.event.type === 'line')
      if ((e.chat === chat1 && e.event.text === 'one') || (e.chat === chat2 && e.event.text === 'two')) heard.add(e.event.text)
    }

    // The chat resource, events, information, participant info, a raw GET.
    const resource = await a1.session.chat(chat1)
    assert.ok([resource.events?.event ?? []].flat().length > 0, JSON.stringify(resource))
    const events = await a1.session.chatEvents(chat1)
    assert.ok([events.event].flat().some((e) => e.type === 'line' && e.text === 'one'))
    const fromTwo = await a1.session.chatEvents(chat1, '2')
    assert.ok([fromTwo.event].flat().every((e) => Number(e.id) >= 2))
    const info = await a1.session.chatInfo(chat1)
    assert.ok(info.participantId, JSON.stringify(info))
    const participant = await a1.session.participantInfo(info.participantId)
    assert.equal(typeof participant, 'object')
    const transferAccount = href(resource.link, 'transfer-account')
    assert.ok(transferAccount, JSON.stringify(resource.link))
    assert.equal(typeof (await a1.session.rawGet(transferAccount)), 'object')

    // Visitor name and typing, both ways.
    v1.setName('Alice')
    assert.equal(await eventually('visitor name', async () => {
      const n = await a1.session.visitorName(chat1)
      return n === 'Alice' ? n : undefined
    }), 'Alice')
    v1.setTyping(true)
    await waitFor(a1.events, (e) => e.type === 'infoUpdated' && e.chat === chat1 && e.info.visitorTyping === 'typing')
    assert.equal(await a1.session.visitorTyping(chat1), 'typing')
    await a1.session.setTyping(chat1, true)
    assert.equal(await a1.session.agentTyping(chat1), 'typing')
    await waitFor(v1Events, (e) => e.type === 'infoUpdated' && e.info.agentTyping === 'typing')
    assert.equal(await v1.agentTyping(), 'typing')

    // Lines: plain, html, rich content, a note only agents see.
    assert.match(String(await a1.session.send(chat1, { type: 'line', text: 'plain line' })), /^\d+$/)
    await a1.session.send(chat1, { type: 'line', text: '<b>html line</b>', textType: 'html' })
    await a1.session.send(chat1, {
      type: 'line', text: '', textType: 'rich-content',
      json: { type: 'vertical', elements: [{ type: 'text', text: 'rich' }] },
    })
    await a1.session.send(chat1, { type: 'line', text: 'agents only', subType: 'ONLY_TO_REP' })

    // The agent survey.
    const survey = await a1.session.agentSurvey(chat1)
    assert.ok(survey.id)
    await a1.session.submitAgentSurvey(chat1, { id: survey.id, question: [{ id: '26386685', answer: 'Yes' }] })

    // Transfers: chat 1 to Billing (agent3 takes it), chat 2 to agent2.
    const skills = await a1.session.transferSkills(chat1)
    assert.ok([skills.skill].flat().some((s) => s.name === 'Billing'), JSON.stringify(skills))
    await a1.session.transfer(chat1, { skill: { id: '2' }, text: 'over to billing' })
    assert.equal(await accepted(a3.events), chat1)
    await a1.session.transfer(chat2, { agent: { id: '102' } })
    assert.equal(await accepted(a2.events), chat2)

    // agent3 ends chat 1; visitor 1 saw every line but the notes.
    await a3.session.endChat(chat1)
    const seen = await linesUntilEnd(v1Events)
    const texts = seen.map((l) => l.text)
    assert.ok(texts.includes('plain line'), texts.join('|'))
    assert.ok(texts.some((t) => t.includes('html line')), texts.join('|'))
    assert.ok(seen.some((l) => l.json !== undefined), 'rich content')
    assert.ok(!texts.includes('agents only'))
    assert.ok(!texts.includes('over to billing'))
    await waitFor(a3.events, (e) => e.type === 'chatEnded' && e.chat === chat1)

    // After the chat: exit survey, transcript, custom variables.
    const exit = await v1.exitSurvey()
    await v1.submitExitSurvey({ id: exit.id, question: [{ id: '25245945', answer: 'Very' }] })
    await v1.requestTranscript('alice@example.com')

    // Visitor 2 ends its chat; agent2 sees the end.
    await v2.setCustomVariables({ customVariable: [{ name: 'order', value: '42' }] })
    await v2.end()
    const end2 = await waitFor(a2.events, (e) => e.type === 'chatEnded' && e.chat === chat2)
    assert.equal(end2.reason.kind, 'ended')
    await waitFor(v2Events, (e) => e.type === 'chatEnded')

    assert.ok(offered >= 1)
    assert.deepEqual(taken, [chat1, chat2])
    assert.ok(lines >= 2)
    assert.deepEqual(ended, [chat1])
    const stats = a1.session.stats()
    assert.ok(stats.requests > 10 && stats.retried === 0, JSON.stringify(stats))
    for (const s of [a1, a2, a3]) await s.session.close()
    assert.equal(aliveSessions(emu), 0)
  } finally {
    await emu.close()
  }
}

test('chats, lines, typing, transfers, surveys and ends (JSON and XML)', { timeout: 120000 }, async () => {
  await Promise.all(FORMATS.map(chatScenario))
})

async function agentScenario(format) {
  const emu = await Emulator.start({ seed: 41, timeFactor: 10, ringTimeoutS: 20, agentIdleTimeoutS: 30 })
  try {
    const client = new Client(emu.account, clientOptions(emu, { format }))
    const startedMs = emu.nowMs()
    const { session, events } = await agentSession(client, agent(1), { availabilityIntervalMs: 2000 })
    const availability = []
    session.onAvailability((e) => availability.push(e))

    assert.equal((await session.availability()).chat, 'Online')
    session.setAvailability('Away')
    await waitFor(events, (e) => e.type === 'availabilityChanged' && e.state === 'Away')
    assert.equal((await session.availability()).chat, 'Away')
    session.setAvailability('Online')
    await waitFor(events, (e) => e.type === 'availabilityChanged' && e.state === 'Online')

    const billing = await session.availableAgents('Billing')
    const ids = [billing.agents?.agent ?? []].flat().map((a) => a.id)
    assert.ok(ids.includes('103') && !ids.includes('102'), ids.join(','))
    const all = await session.availableAgents()
    assert.match(href(all.link, 'next'), /timeStamp=/)
    const later = await session.availableAgentsNext(all)
    assert.equal([later.agents?.agent ?? []].flat().length, [all.agents?.agent ?? []].flat().length)
    assert.equal(Number(await session.availableSlots('Sales')), 3)

    const visitor = await visitorOf(client)
    const vchat = await visitor.requestChat({ skill: 'Sales' })
    await waitFor(events, (e) => e.type === 'chatOffered')
    assert.ok(Number((await session.incomingRequests()).ringingCount) >= 1)
    const forced = await waitFor(events, (e) => e.type === 'availabilityForced')
    assert.deepEqual([forced.wanted, forced.seen], ['Online', 'Away'])
    await waitFor(events, (e) => e.type === 'availabilityChanged' && e.state === 'Online')
    const chat = await eventually('the chat is accepted', () => session.acceptNext().catch(() => undefined))
    assert.equal(chat, vchat.id)
    assert.ok(availability.some((e) => e.type === 'availabilityForced'))
    assert.ok(emu.nowMs() - startedMs > 30000, 'the keepalive held the session past the idle logout')
    assert.equal(aliveSessions(emu), 1)
    await vchat.close()
    await session.close()
  } finally {
    await emu.close()
  }
}

test('availability, keepalive, forced Away, agents, slots, accept (JSON and XML)', { timeout: 120000 }, async () => {
  await Promise.all(FORMATS.map(agentScenario))
})

async function visitorScenario(format) {
  const { emu, client } = await setup(61, format)
  try {
    const visitor = await visitorOf(client)
    assert.equal(await visitor.availability('Sales'), false, 'no agent online')
    assert.equal(Number(await visitor.waitTime()), -1)
    const offline = await visitor.offlineSurvey()
    await visitor.submitOfflineSurvey({ id: offline.id, question: [{ id: '4991310', answer: 'call me back' }] })
    const { session } = await agentSession(client, agent(1))
    assert.equal(await visitor.availability('Sales'), true)
    assert.equal(await visitor.availability(), true)
    assert.equal(Number(await visitor.availableSlots('Sales')), 3)
    assert.equal(Number(await visitor.waitTime()), 0)
    assert.ok((await visitor.preChatSurvey()).id)
    await session.close()
  } finally {
    await emu.close()
  }
}

test('visitor availability, slots, wait time and surveys (JSON and XML)', { timeout: 60000 }, async () => {
  await Promise.all(FORMATS.map(visitorScenario))
})
