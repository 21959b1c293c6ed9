// The settings a Rust user of lpchat has, as Node options (docs/node.md "Settings"): each
// test fails if its setting were ignored. Wire switches through emulator quirks and fault
// rules that tell the wire forms apart; the event buffer, the incoming-requests interval and
// the login refresh through request counts and events over a window (ratios with margins,
// never exact counts); maxBody, maxInFlight, signRequests and maxRelogins through the
// failure or re-login they cause; the headers, query and connections of the wire through a
// plain recording server (the emulator accepts either form). Bad values are LPCHAT_CONFIG
// errors naming the field.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { Client, LpchatError } from 'lpchat'
import { Emulator, clientOptions, agent, BOT, APP_KEY } from 'lpchat/testing'
import { waitFor, eventually, agentSession } from './helpers.mjs'

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

function isConfig(field) {
  return (e) => {
    assert.ok(e instanceof LpchatError, `an LpchatError: ${e?.stack ?? e}`)
    assert.equal(e.code, 'LPCHAT_CONFIG', e.message)
    assert.match(e.message, field)
    return true
  }
}

/** The first event of one of `types`, within 20 s. */
async function firstOf(events, types) {
  for (;;) {
    let timer
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`none of ${types} within 20 s`)), 20000)
    })
    let ev
    try {
      ev = await Promise.race([events.next(), timeout])
    } finally {
      clearTimeout(timer)
    }
    assert.notEqual(ev, null, 'the session finished')
    if (types.includes(ev.type)) return ev
  }
}

/** How often a fault rule fired. */
const fired = (emu, id) => emu.faults().find((f) => f.id === id)?.fired ?? 0

test('bad settings are LPCHAT_CONFIG errors naming the field; null means none', { timeout: 30000 }, async () => {
  const bad = [
    [{ eventBuffer: 0 }, /eventBuffer/],
    [{ eventBuffer: -1 }, /eventBuffer/],
    [{ eventBuffer: 1.5 }, /eventBuffer/],
    [{ eventBuffer: 'many' }, /eventBuffer/],
    [{ evntBuffer: 1 }, /evntBuffer/],
    [{ transport: { maxBody: 0 } }, /transport\.maxBody/],
    [{ transport: { maxBody: '1k' } }, /transport\.maxBody/],
    [{ transport: { maxInFlight: 0 } }, /transport\.maxInFlight/],
    [{ transport: { poolIdleTimeoutMs: -5 } }, /transport\.poolIdleTimeoutMs/],
    [{ transport: { poolMaxIdlePerHost: -1 } }, /transport\.poolMaxIdlePerHost/],
    [{ transport: { requestTimeoutMs: 'slow' } }, /transport\.requestTimeoutMs/],
    [{ wire: { formatSuffix: 'yes' } }, /wire\.formatSuffix/],
    [{ wire: { realVerb: true } }, /realVerb/],
    [{ retry: { scheduleMs: [100, -1] } }, /retry\.scheduleMs/],
    [{ retry: { rateLimitRetries: -1 } }, /retry\.rateLimitRetries/],
    [{ retry: { rateLimitFloorMs: -1 } }, /retry\.rateLimitFloorMs/],
    [{ seed: 'x' }, /seed/],
    ['fast', /client options/],
  ]
  for (const [options, field] of bad) {
    assert.throws(() => new Client('1', options), isConfig(field), JSON.stringify(options))
  }
  // Absent, undefined or null: the defaults; null for the pool's timeout and the in-flight
  // cap: none.
  new Client('1', { transport: { poolIdleTimeoutMs: null, maxInFlight: null, maxBody: 1 }, eventBuffer: 1 })
  new Client('1', { eventBuffer: undefined, wire: undefined })
  new Client('1', null)

  const emu = await Emulator.start()
  try {
    const client = new Client(emu.account, clientOptions(emu))
    const rejected = [
      [{ incomingIntervalMs: -1 }, /incomingIntervalMs/],
      [{ requestDeadlineMs: 'soon' }, /requestDeadlineMs/],
      [{ requestDeadlineMs: -1 }, /requestDeadlineMs/],
      [{ login: { refreshMaxMs: -1 } }, /login\.refreshMaxMs/],
      [{ login: { maxRelogins: -1 } }, /login\.maxRelogins/],
      [{ login: { signRequests: 1 } }, /login\.signRequests/],
      [{ login: { maxRelogin: 1 } }, /maxRelogin/],
      [{ autoAccept: 'yes' }, /autoAccept/],
    ]
    for (const [options, field] of rejected) {
      await assert.rejects(client.agentSession(agent(1), options), isConfig(field), JSON.stringify(options))
    }
    const visitor = await client.visitor(APP_KEY)
    await assert.rejects(visitor.requestChat({ skill: 'Sales' }, { requestDeadlineMs: -1 }), isConfig(/requestDeadlineMs/))
    await assert.rejects(visitor.requestChat({ skill: 'Sales' }, { pollIntervalMs: '2s' }), isConfig(/pollIntervalMs/))
    // Nothing was started by a rejected call.
    assert.deepEqual(emu.transcripts(), [])
  } finally {
    await emu.close()
  }
})

test('wire.formatSuffix: a server that rejects suffixed paths fails the session only with it', { timeout: 60000 }, async () => {
  const emu = await Emulator.start({ seed: 41, timeFactor: 10, quirks: { suffix: 'reject' } })
  try {
    const plain = new Client(emu.account, clientOptions(emu))
    const suffixed = new Client(emu.account, clientOptions(emu, { wire: { formatSuffix: true } }))
    const a = await plain.agentSession(agent(1))
    assert.equal((await firstOf(a.events(), ['agentSessionStarted', 'sessionLost'])).type, 'agentSessionStarted')
    const b = await suffixed.agentSession(agent(2))
    const lost = await firstOf(b.events(), ['agentSessionStarted', 'sessionLost'])
    assert.equal(lost.type, 'sessionLost', JSON.stringify(lost))
    assert.equal(lost.reason.status, 404, JSON.stringify(lost))
    // The same client works once the server takes the suffix.
    emu.setQuirks({ suffix: 'override' })
    const c = await suffixed.agentSession(agent(2))
    assert.equal((await firstOf(c.events(), ['agentSessionStarted', 'sessionLost'])).type, 'agentSessionStarted')
    await a.close()
    await c.close()
  } finally {
    await emu.close()
  }
})

test('wire.realVerbs: a PUT goes as PUT with it, as POST + X-HTTP-Method-Override without', { timeout: 60000 }, async () => {
  const emu = await Emulator.start({ seed: 43, timeFactor: 10 })
  try {
    for (const realVerbs of [true, false]) {
      // Harmless rules that only count which wire method the availability set (A6) used.
      const put = emu.addFault({ route: '*/availability', method: 'PUT', type: 'latency', ms: 0 })
      const post = emu.addFault({ route: '*/availability', method: 'POST', type: 'latency', ms: 0 })
      const client = new Client(emu.account, clientOptions(emu, { wire: { realVerbs } }))
      const { session } = await agentSession(client, agent(1))
      session.setAvailability('Away')
      await eventually('the availability set', async () => ((await session.availability()).chat === 'Away' ? true : undefined))
      if (realVerbs) {
        assert.ok(fired(emu, put) >= 1, 'sent as PUT')
        assert.equal(fired(emu, post), 0, 'never tunnelled')
      } else {
        assert.ok(fired(emu, post) >= 1, 'tunnelled through POST')
        assert.equal(fired(emu, put), 0, 'never a real PUT')
      }
      await session.close()
      emu.clearFaults()
    }
  } finally {
    await emu.close()
  }
})

test('eventBuffer: a full, unread stream pauses the polls; reading resumes them', { timeout: 60000 }, async () => {
  const emu = await Emulator.start({ seed: 45, timeFactor: 10 })
  try {
    const quick = { incomingIntervalMs: 1000, availabilityIntervalMs: 600000 }
    const small = new Client(emu.account, clientOptions(emu, { eventBuffer: 1 }))
    const large = new Client(emu.account, clientOptions(emu))
    const a = await small.agentSession(agent(1), quick)
    const b = await large.agentSession(agent(2), quick)
    // Taken and never read. Events kept before the stream was taken do not count: the
    // availability's confirmation after it fills a buffer of one.
    const aEvents = a.events()
    b.events()
    await sleep(1000)
    a.setAvailability('Away')
    b.setAvailability('Away')
    await sleep(1500)
    const [a0, b0] = [a.stats().requests, b.stats().requests]
    await sleep(5000)
    const [a1, b1] = [a.stats().requests, b.stats().requests]
    assert.ok(b1 - b0 >= 3, `the default buffer keeps polling (${b1 - b0} requests in 5 s)`)
    assert.ok(a1 - a0 <= 1, `a full buffer of 1 pauses the polls (${a1 - a0} requests in 5 s)`)
    // Reading makes room: the polls go on.
    let reading = true
    const drain = (async () => {
      while (reading && (await aEvents.next()) !== null);
    })()
    await eventually('polling resumes', () => (a.stats().requests >= a1 + 3 ? true : undefined))
    reading = false
    await a.close()
    await drain
    await b.close()
  } finally {
    await emu.close()
  }
})

test('incomingIntervalMs: the incoming requests are polled that often', { timeout: 60000 }, async () => {
  const emu = await Emulator.start({ seed: 47, timeFactor: 10 })
  try {
    const client = new Client(emu.account, clientOptions(emu))
    const quiet = { availabilityIntervalMs: 600000 }
    // No events() taken: nothing paces the polls.
    const fast = await client.agentSession(agent(1), { ...quiet, incomingIntervalMs: 1000 })
    const slow = await client.agentSession(agent(2), { ...quiet, incomingIntervalMs: 5000 })
    await sleep(2000)
    const [f0, s0] = [fast.stats().requests, slow.stats().requests]
    await sleep(8000)
    const df = fast.stats().requests - f0
    const ds = slow.stats().requests - s0
    // About 8 against 2 (the default, 2 s, would give about 4 each).
    assert.ok(df >= 5, `every second: ${df} requests in 8 s`)
    assert.ok(df >= 2 * ds + 1, `every 5 s: ${ds} requests in 8 s, against ${df}`)
    await fast.close()
    await slow.close()
  } finally {
    await emu.close()
  }
})

test('transport.maxBody: a larger answer fails as LPCHAT_TRANSPORT', { timeout: 30000 }, async () => {
  const emu = await Emulator.start({ seed: 49 })
  try {
    const tiny = new Client(emu.account, clientOptions(emu, { transport: { maxBody: 16 } }))
    await assert.rejects(tiny.domain('agentVep'), (e) => {
      assert.ok(e instanceof LpchatError)
      assert.equal(e.code, 'LPCHAT_TRANSPORT', e.message)
      assert.equal(e.kind, 'body_truncated')
      return true
    })
    const roomy = new Client(emu.account, clientOptions(emu, { transport: { maxBody: 65536 } }))
    assert.equal(typeof (await roomy.domain('agentVep')), 'string')
  } finally {
    await emu.close()
  }
})

test('transport.maxInFlight: a request waits for its turn at most connectTimeoutMs', { timeout: 30000 }, async () => {
  const emu = await Emulator.start({ seed: 51 })
  try {
    const transport = { connectTimeoutMs: 500, requestTimeoutMs: 10000 }
    const lookups = (client) => Promise.allSettled([client.domain('agentVep'), client.domain('conversationVep')])
    // Each Domain API answer takes 1.5 s.
    emu.addFault({ route: '*/service/*', type: 'latency', ms: 1500 })
    const one = new Client(emu.account, clientOptions(emu, { transport: { ...transport, maxInFlight: 1 } }))
    const results = await lookups(one)
    const failed = results.filter((r) => r.status === 'rejected')
    assert.equal(failed.length, 1, JSON.stringify(results))
    assert.equal(failed[0].reason.code, 'LPCHAT_TRANSPORT')
    assert.equal(failed[0].reason.kind, 'connect_failed', 'certainly not sent')
    // No cap (null) or the default: both go at once.
    for (const maxInFlight of [null, undefined]) {
      const many = new Client(emu.account, clientOptions(emu, { transport: { ...transport, maxInFlight } }))
      const all = await lookups(many)
      assert.deepEqual(all.map((r) => r.status), ['fulfilled', 'fulfilled'], JSON.stringify(all))
    }
  } finally {
    await emu.close()
  }
})

test('retry.rateLimitRetries and retry.rateLimitFloorMs: how often and how soon a 429 is retried', { timeout: 60000 }, async () => {
  const emu = await Emulator.start({ seed: 61 })
  try {
    const rule = emu.addFault({ route: '*/chat/availability', type: 'status', status: 429 })
    const attempts = async (retry) => {
      const client = new Client(emu.account, clientOptions(emu, { retry: { jitter: 0, ...retry } }))
      const visitor = await client.visitor(APP_KEY)
      const before = fired(emu, rule)
      const started = Date.now()
      await assert.rejects(visitor.availability(), (e) => e.code === 'LPCHAT_API' && e.status === 429)
      return { tries: fired(emu, rule) - before, ms: Date.now() - started }
    }
    // The first try and one retry per allowed 429.
    assert.equal((await attempts({ rateLimitRetries: 1, rateLimitFloorMs: 20 })).tries, 2)
    assert.equal((await attempts({ rateLimitRetries: 4, rateLimitFloorMs: 20 })).tries, 5)
    // Three pauses of at least the floor: 3 x 600 ms against 3 x 20 ms.
    const slow = await attempts({ rateLimitRetries: 3, rateLimitFloorMs: 600 })
    const quick = await attempts({ rateLimitRetries: 3, rateLimitFloorMs: 20 })
    assert.ok(slow.ms >= 1700, `${slow.ms} ms with a floor of 600 ms`)
    assert.ok(quick.ms < slow.ms / 2, `${quick.ms} ms with a floor of 20 ms, against ${slow.ms}`)
  } finally {
    await emu.close()
  }
})

test('login.refreshMaxMs: the login is refreshed that often', { timeout: 60000 }, async () => {
  const emu = await Emulator.start({ seed: 53, timeFactor: 10 })
  try {
    const client = new Client(emu.account, clientOptions(emu))
    const often = await agentSession(client, agent(1), { login: { refreshMaxMs: 1000 } })
    const usual = await agentSession(client, agent(2))
    const renewals = (events, ms) => {
      let n = 0
      const until = Date.now() + ms
      return (async () => {
        for (;;) {
          const ev = await Promise.race([events.next(), sleep(Math.max(until - Date.now(), 0)).then(() => 'done')])
          if (ev === 'done' || ev === null) return n
          if (ev.type === 'sessionRenewed') n += 1
        }
      })()
    }
    const [fast, slow] = await Promise.all([renewals(often.events, 5000), renewals(usual.events, 5000)])
    assert.ok(fast >= 2, `${fast} refreshes in 5 s, every second`)
    assert.equal(slow, 0, 'none in 5 s by default (5 minutes)')
    await often.session.close()
    await usual.session.close()
  } finally {
    await emu.close()
  }
})

test('login.signRequests: an API key signs its agent requests, or sends the bearer', { timeout: 60000 }, async () => {
  const emu = await Emulator.start({ seed: 55, timeFactor: 10 })
  try {
    const client = new Client(emu.account, clientOptions(emu))
    for (const signRequests of [true, false]) {
      const { session, events } = await agentSession(client, BOT, { login: { signRequests } })
      // An expired login refuses the bearer; a signed request does not carry it.
      emu.expireLogins()
      assert.equal(typeof (await session.agentInfo()).loginName, 'string')
      const again = await Promise.race([
        // Settled either way: the wait ends (rejects) when the session closes.
        waitFor(events, (e) => e.type === 'loggedIn').then(() => true, () => false),
        sleep(3000).then(() => false),
      ])
      assert.equal(again, !signRequests, signRequests ? 'signed: no re-login' : 'bearer: logged in again')
      await session.close()
    }
  } finally {
    await emu.close()
  }
})

test('login.maxRelogins: how many re-logins in a row before the session is lost', { timeout: 90000 }, async () => {
  const emu = await Emulator.start({ seed: 57, timeFactor: 10 })
  try {
    const client = new Client(emu.account, clientOptions(emu))
    const relogins = async (maxRelogins) => {
      const { session, events } = await agentSession(client, agent(1), { login: { maxRelogins } })
      // Every agent request refused (the Login Service still answers).
      const rule = emu.addFault({ route: '*/agentSession*', type: 'status', status: 401 })
      let n = 0
      for (;;) {
        const ev = await firstOf(events, ['loggedIn', 'sessionLost'])
        if (ev.type === 'sessionLost') {
          assert.equal(ev.reason.kind, 'unauthorized', JSON.stringify(ev))
          break
        }
        n += 1
      }
      emu.removeFault(rule)
      await session.close().catch(() => {})
      return n
    }
    assert.equal(await relogins(0), 0, 'lost at the first refusal')
    assert.equal(await relogins(2), 2, 'two re-logins, then lost')
  } finally {
    await emu.close()
  }
})

test('requestDeadlineMs and the visitor chat settings are taken', { timeout: 60000 }, async () => {
  // The deadline only catches answers that never come: lpchat raises it above the
  // transport's longest exchange, so no answer can outlast it here. The session and the
  // chat start with it (and with the visitor's intervals) and work.
  const emu = await Emulator.start({ seed: 59, timeFactor: 10 })
  try {
    const client = new Client(emu.account, clientOptions(emu))
    const { session, events } = await agentSession(client, agent(1), { autoAccept: true, requestDeadlineMs: 90000 })
    const visitor = await client.visitor(APP_KEY)
    const chat = await visitor.requestChat({ skill: 'Sales' }, { requestDeadlineMs: 90000, pollIntervalMs: 1000, keepaliveIntervalMs: 5000 })
    const id = (await waitFor(events, (e) => e.type === 'chatAccepted')).chat
    await session.sendLine(id, 'hello')
    await waitFor(chat.events(), (e) => e.type === 'chatEvent' && e.event.text === 'hello')
    await chat.close()
    await session.close()
  } finally {
    await emu.close()
  }
})

/** A plain HTTP server on loopback that records each request (URL, headers) and the
 * connections it accepted, and answers 404 (not retried). */
async function recorder() {
  const seen = { requests: [], connections: 0 }
  const server = createServer((req, res) => {
    seen.requests.push({ url: req.url, headers: req.headers })
    res.writeHead(404, { 'content-type': 'application/json' }).end('{}')
  })
  server.on('connection', () => {
    seen.connections += 1
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  seen.host = `127.0.0.1:${server.address().port}`
  seen.close = () => {
    server.closeAllConnections()
    return new Promise((resolve) => server.close(resolve))
  }
  return seen
}

/** `n` visitor availability reads (V2) through a client of `options` to the recorder. */
async function reads(rec, options, n = 1, pauseMs = 0) {
  const client = new Client('12345678', { visitorHost: rec.host, ...options })
  const visitor = await client.visitor(APP_KEY)
  for (let i = 0; i < n; i++) {
    await assert.rejects(visitor.availability(), (e) => e.code === 'LPCHAT_API' && e.status === 404)
    if (pauseMs) await sleep(pauseMs)
  }
  return rec.requests.slice(-n)
}

test('wire.requestedWith, wire.appKeyInQuery and transport.userAgent on the wire', { timeout: 30000 }, async () => {
  const rec = await recorder()
  try {
    const [plain] = await reads(rec, {})
    assert.equal(plain.headers['x-requested-with'], undefined)
    assert.equal(plain.headers.authorization, `LivePerson appKey=${APP_KEY}`)
    assert.ok(!plain.url.includes('appKey='), plain.url)
    assert.match(plain.headers['user-agent'], /^lpchat-rust\//)

    const [switched] = await reads(rec, {
      wire: { requestedWith: true, appKeyInQuery: true },
      transport: { userAgent: 'my-bot/2.0' },
    })
    assert.equal(switched.headers['x-requested-with'], 'XMLHttpRequest')
    assert.equal(switched.headers.authorization, undefined, 'the key is not in a header')
    assert.ok(switched.url.includes(`appKey=${APP_KEY}`), switched.url)
    assert.equal(switched.headers['user-agent'], 'my-bot/2.0')
  } finally {
    await rec.close()
  }
})

test('transport.poolMaxIdlePerHost and transport.poolIdleTimeoutMs: connections kept or not', { timeout: 30000 }, async () => {
  const rec = await recorder()
  try {
    const opened = async (transport, pauseMs) => {
      const before = rec.connections
      await reads(rec, { transport }, 4, pauseMs)
      return rec.connections - before
    }
    // The default keeps the connection between requests (and for 30 s).
    assert.equal(await opened({}, 300), 1, 'one connection, reused')
    // None kept idle: a connection per request.
    assert.equal(await opened({ poolMaxIdlePerHost: 0 }, 0), 4)
    // Kept 50 ms only: the pauses of 300 ms outlast it.
    assert.equal(await opened({ poolIdleTimeoutMs: 50 }, 300), 4)
    // Kept for ever (null).
    assert.equal(await opened({ poolIdleTimeoutMs: null }, 300), 1)
  } finally {
    await rec.close()
  }
})
