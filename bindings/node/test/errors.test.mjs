// Errors: every failure is an `Error` (an LpchatError) with a stable `.code` from
// docs/errors.md and `.status` where there is one, each code produced by a real
// failure against the emulator (or a closed port, or bad input).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Client, LpchatError, ERROR_CODES, decode } from 'lpchat'
import { Emulator, clientOptions, agent, APP_KEY } from 'lpchat/testing'
import { setup, agentSession, visitor as visitorOf, accepted, waitFor } from './helpers.mjs'

async function fails(promise, code) {
  try {
    await promise
  } catch (e) {
    assert.ok(e instanceof LpchatError, `an LpchatError: ${e?.stack ?? e}`)
    assert.ok(e instanceof Error)
    assert.equal(e.code, code, e.message)
    assert.ok(!e.message.includes('\u0001'), 'the transport marker is gone')
    return e
  }
  assert.fail(`expected ${code}`)
}

test('ERROR_CODES is the table of errors.md', () => {
  assert.deepEqual([...ERROR_CODES].sort(), [
    'LPCHAT_API', 'LPCHAT_CLOSED', 'LPCHAT_COMMAND', 'LPCHAT_CONFIG', 'LPCHAT_DECODE',
    'LPCHAT_NOT_READY', 'LPCHAT_OUTCOME_UNKNOWN', 'LPCHAT_REQUEST_FAILED', 'LPCHAT_SESSION_LOST',
    'LPCHAT_TIMEOUT', 'LPCHAT_TRANSPORT', 'LPCHAT_UNAUTHORIZED',
  ])
})

test('LPCHAT_CONFIG: bad settings and arguments, thrown synchronously', () => {
  assert.throws(() => new Client(''), (e) => e instanceof LpchatError && e.code === 'LPCHAT_CONFIG')
  assert.throws(() => new Client('1', { format: 'yaml' }), (e) => e.code === 'LPCHAT_CONFIG' && /format/.test(e.message))
  assert.throws(() => new Client('1', { retry: { jitter: 3 } }), (e) => e.code === 'LPCHAT_CONFIG')
  assert.throws(() => new Client('1', { transport: { connectTimeoutMs: -1 } }), (e) => e.code === 'LPCHAT_CONFIG')
  assert.throws(() => decode('nope', '{}'), (e) => e.code === 'LPCHAT_CONFIG')
})

test('LPCHAT_CONFIG for bad credentials and options; LPCHAT_TRANSPORT and LPCHAT_TIMEOUT', { timeout: 30000 }, async () => {
  const emu = await Emulator.start()
  try {
    const client = new Client(emu.account, clientOptions(emu))
    await fails(client.agentSession({ user: 'agent1' }), 'LPCHAT_CONFIG')
    await fails(client.agentSession({ username: 'bot', apiKey: { appKey: 'x' } }), 'LPCHAT_CONFIG')
    await fails(client.agentSession(agent(1), { resumeFrom: 'not a token' }), 'LPCHAT_CONFIG')
    await fails(client.agentSession(agent(1), { forcedAway: 'sometimes' }), 'LPCHAT_CONFIG')
    await fails(client.agentSession(agent(1), { initialAvailability: 'Sleepy' }), 'LPCHAT_CONFIG')

    // Nothing listens on port 1: the connection fails before anything was sent.
    const nowhere = new Client(emu.account, { domainOrigin: 'http://127.0.0.1:1' })
    const t = await fails(nowhere.domain('agentVep'), 'LPCHAT_TRANSPORT')
    assert.equal(t.kind, 'connect_failed')

    emu.addFault({ route: '*', type: 'latency', ms: 2000, count: 1 })
    const impatient = new Client(emu.account, clientOptions(emu, { transport: { requestTimeoutMs: 200 } }))
    const slow = await fails(impatient.domain('agentVep'), 'LPCHAT_TIMEOUT')
    assert.equal(slow.kind, 'timeout')
  } finally {
    await emu.close()
  }
})

test('API, unauthorized, command, closed, outcome unknown and lost sessions', { timeout: 60000 }, async () => {
  const { emu, client } = await setup(5, 'json')
  try {
    const { session, events } = await agentSession(client, agent(1), { autoAccept: true })
    const api = await fails(session.chatInfo('H-no-such-chat'), 'LPCHAT_API')
    assert.equal(typeof api.status, 'number')
    assert.ok(api.status >= 400 && api.status < 500, String(api.status))

    const command = await fails(session.sendLine('H-no-such-chat', 'hello'), 'LPCHAT_COMMAND')
    assert.equal(command.reason, 'unknown_chat')

    const stranger = await client.visitor('0000000000000000000000000000beef')
    const denied = await fails(stranger.availability(), 'LPCHAT_UNAUTHORIZED')
    assert.equal(denied.status, 401)

    // A transcript request answered 500 may have sent its e-mail: not sent again.
    const visitor = await visitorOf(client)
    const chat = await visitor.requestChat({ skill: 'Sales' })
    await accepted(events)
    emu.addFault({ route: '*/transcriptRequest', type: 'status', status: 500, count: 1 })
    const unknown = await fails(chat.requestTranscript('me@example.com'), 'LPCHAT_OUTCOME_UNKNOWN')
    assert.equal(unknown.endpoint, 'V18')

    await chat.close()
    await session.close()
    await fails(session.sendLine('H-any', 'late'), 'LPCHAT_CLOSED')
    await fails(session.chats(), 'LPCHAT_CLOSED')
    assert.throws(() => session.setAvailability('Away'), (e) => e.code === 'LPCHAT_CLOSED')
    assert.throws(() => session.events(), (e) => e.code === 'LPCHAT_CONFIG', 'the stream was taken')

    // A refused password loses the session: the stream says why, and a call waiting for
    // the login fails with it. The login is held 300 ms so the call is queued first.
    emu.addFault({ route: '*login*', type: 'latency', ms: 300, count: 1 })
    const refused = await client.agentSession({ user: 'agent1', password: 'wrong' })
    const waiting = fails(refused.availability(), 'LPCHAT_SESSION_LOST')
    const lost = await waitFor(refused.events(), (e) => e.type === 'sessionLost')
    assert.equal(lost.reason.kind, 'bad_credentials')
    const e = await waiting
    assert.equal(e.reason, 'bad_credentials')
    assert.ok(e.status >= 400 && e.status < 500)
    // Once the session has finished, calls fail as closed.
    await fails(refused.availability(), 'LPCHAT_CLOSED')
  } finally {
    await emu.close()
  }
})

test('LPCHAT_NOT_READY: a call that waits longer than a login may take', { timeout: 90000 }, async () => {
  // The login is held 60 s; a one-off call waits for it at most the retry schedule plus
  // 30 s (0.7 s + 30 s with the fast schedule), then gives up as not ready.
  const emu = await Emulator.start()
  try {
    emu.addFault({ route: '*login*', type: 'latency', ms: 60000, count: 1 })
    const client = new Client(emu.account, clientOptions(emu, { transport: { requestTimeoutMs: 90000 } }))
    const session = await client.agentSession(agent(1))
    const started = Date.now()
    await fails(session.availability(), 'LPCHAT_NOT_READY')
    const waited = Date.now() - started
    assert.ok(waited > 29000 && waited < 45000, `waited ${waited} ms`)
    // Closing does not wait for the held login.
    await session.close()
  } finally {
    await emu.close()
  }
})

test('messages are the Rust sentences: no snake_case code, no Debug braces', { timeout: 60000 }, async () => {
  // The same sentences as `messages_read_as_sentences` in crates/lpchat/src/error.rs and
  // test_messages_are_the_rust_sentences of the Python suite.
  const { emu, client } = await setup(5, 'json')
  try {
    const { session, events } = await agentSession(client, agent(1), { autoAccept: true })
    const command = await fails(session.sendLine('H-no-such-chat', 'hello'), 'LPCHAT_COMMAND')
    assert.equal(command.reason, 'unknown_chat')
    assert.equal(command.message, 'command failed: the chat is not followed')

    const visitor = await visitorOf(client)
    const chat = await visitor.requestChat({ skill: 'Sales' })
    await accepted(events)
    emu.addFault({ route: '*/transcriptRequest', type: 'status', status: 500, count: 1 })
    const unknown = await fails(chat.requestTranscript('me@example.com'), 'LPCHAT_OUTCOME_UNKNOWN')
    assert.equal(unknown.message, 'V18: outcome unknown (HTTP 500 Internal Server Error); not sent again')
    await chat.close()
    await session.close()
    const closed = await fails(session.chats(), 'LPCHAT_CLOSED')
    assert.equal(closed.message, 'the session is closed')

    // The login is held 300 ms so the call waits for it and fails with the loss.
    emu.addFault({ route: '*login*', type: 'latency', ms: 300, count: 1 })
    const refused = await client.agentSession({ user: 'agent1', password: 'wrong' })
    const lost = await fails(refused.availability(), 'LPCHAT_SESSION_LOST')
    assert.equal(lost.reason, 'bad_credentials')
    assert.equal(lost.status, 401)
    assert.equal(lost.message, 'session lost: the Login Service refused the credentials (HTTP 401 Unauthorized)')
    assert.ok(!lost.message.includes('wrong'), lost.message)
    for (const e of [command, unknown, closed, lost]) {
      assert.ok(!/[{}]|\b[a-z]+_[a-z_]+\b/.test(e.message), e.message)
    }
  } finally {
    await emu.close()
  }
})
