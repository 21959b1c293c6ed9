// The Node benchmark, one run: (1) events delivered per CPU-second by an lpchat echo bot and
// by a plain `fetch` polling bot against the same emulator (in its own process), and (2)
// `decode` against `JSON.parse` plus building the model objects, and against
// `fast-xml-parser`. `npm run bench` (after `npm run build`); not part of the test suite.
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { XMLParser } from 'fast-xml-parser'
import { Client, decode } from 'lpchat'
import { BOT } from 'lpchat/testing'

const VISITORS = Number(process.env.BENCH_VISITORS ?? 40)
const LINES = Number(process.env.BENCH_LINES ?? 5)
const scenario = {
  visitors: VISITORS,
  lines: Array.from({ length: LINES }, (_, i) => `line ${i}`),
  paceMs: 500,
  startIntervalMs: 100,
  answerTimeoutMs: 600000,
}

// ---- the emulator process ---------------------------------------------------------------
const server = spawn(process.execPath, [fileURLToPath(new URL('./emulator-server.mjs', import.meta.url))], {
  stdio: ['pipe', 'pipe', 'inherit'],
})
const replies = createInterface({ input: server.stdout })[Symbol.asyncIterator]()
const { baseUrl, account } = JSON.parse((await replies.next()).value)
async function runVisitors() {
  server.stdin.write(`${JSON.stringify(scenario)}\n`)
  return JSON.parse((await replies.next()).value)
}

function cpu(start) {
  const d = process.cpuUsage(start)
  return (d.user + d.system) / 1e6
}

// ---- (1a) the lpchat bot ------------------------------------------------------------------
async function lpchatBot() {
  const client = new Client(account, { domainOrigin: baseUrl })
  const session = await client.agentSession(BOT, { autoAccept: true })
  const events = session.events()
  for await (const ev of events) if (ev.type === 'agentSessionStarted') break
  const start = process.cpuUsage()
  const t0 = Date.now()
  const visitors = runVisitors()
  let delivered = 0
  let ended = 0
  const sends = []
  for await (const ev of events) {
    if (ev.type === 'chatEvent') {
      delivered++
      if (ev.event.type === 'line' && ev.event.source === 'visitor') sends.push(session.sendLine(ev.chat, `echo ${ev.event.text}`).catch(() => {}))
    } else if (ev.type === 'chatEnded' && ++ended === VISITORS) break
  }
  await Promise.all(sends)
  const seconds = cpu(start)
  const wall = (Date.now() - t0) / 1000
  const { echoes } = await visitors
  await session.close()
  return { delivered, seconds, wall, echoes }
}

// ---- (1b) a plain fetch polling bot: what a Node developer writes without lpchat ----------
// Login (L1, application login, then the bearer), an agent session (A2), the ringing count
// every 2 s (A10) and an accept (A11) while it rings, each chat's events every 2 s (A15,
// `from` the next id), an echo for each visitor line (A16). The emulator writes one-element
// lists as bare objects and attributes with `@`, so the bot reads both.
const list = (v) => (v === undefined || v === null || v === '' ? [] : Array.isArray(v) ? v : [v])
const attr = (o, k) => o[`@${k}`] ?? o[k]
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

async function fetchBot(startVisitors) {
  const json = { accept: 'application/json', 'content-type': 'application/json' }
  const login = await (await fetch(`${baseUrl}/api/account/${account}/login?v=1.3`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ username: BOT.username, ...BOT.apiKey }),
  })).json()
  const auth = { ...json, authorization: `Bearer ${login.bearer}` }
  const started = await fetch(`${baseUrl}/api/account/${account}/agentSession?v=1&NC=true`, {
    method: 'POST', headers: auth, body: JSON.stringify({ loginData: '' }),
  })
  await started.arrayBuffer()
  const session = new URL(started.headers.get('location'), baseUrl).href.replace(/\?.*$/, '')
  const start = process.cpuUsage()
  const t0 = Date.now()
  const visitors = startVisitors()
  const chats = new Map() // chat URL -> next event id
  let delivered = 0
  let ended = 0
  while (ended < VISITORS) {
    const ringing = await (await fetch(`${session}/incomingRequests`, { headers: auth })).json()
    if (Number(ringing.incomingRequests?.ringingCount ?? 0) > 0) {
      const accepted = await fetch(`${session}/incomingRequests`, { method: 'POST', headers: auth, body: '{}' })
      await accepted.arrayBuffer()
      const location = accepted.headers.get('location')
      if (accepted.ok && location) chats.set(new URL(location, baseUrl).href.replace(/\?.*$/, ''), 0)
    }
    await Promise.all([...chats].map(async ([chat, from]) => {
      const body = await (await fetch(`${chat}/events?from=${from}`, { headers: auth })).json()
      let next = from
      for (const e of list(body.events?.event)) {
        const id = Number(attr(e, 'id'))
        if (id < next) continue // repeated
        next = id + 1
        delivered++
        const type = attr(e, 'type')
        if (type === 'line' && e.source === 'visitor') {
          await (await fetch(`${chat}/events`, {
            method: 'POST', headers: auth,
            body: JSON.stringify({ event: { '@type': 'line', text: `echo ${e.text}`, textType: 'plain' } }),
          })).arrayBuffer()
        }
        if (type === 'state' && e.state === 'ended') {
          chats.delete(chat)
          ended++
          return
        }
      }
      chats.set(chat, next)
    }))
    await sleep(2000)
  }
  const seconds = cpu(start)
  const wall = (Date.now() - t0) / 1000
  const { echoes } = await visitors
  return { delivered, seconds, wall, echoes }
}

// ---- (2) decoding -------------------------------------------------------------------------
const fixtures = fileURLToPath(new URL('../../../tests/fixtures/', import.meta.url))
function eventsBody(n, xml) {
  const events = Array.from({ length: n }, (_, i) => i % 3 === 0
    ? { id: i, type: 'state', state: 'chatting', time: '2018-01-29T08:19:56.777-05:00' }
    : { id: i, type: 'line', time: '2018-01-29T08:19:56.782-05:00', textType: 'plain', by: 'Barber', source: i % 2 ? 'agent' : 'visitor', subType: 'REGULAR', text: `Line number ${i} of the chat, with some words in it.` })
  const next = 'https://va-a.agentvep.liveperson.net/api/account/25025413/agentSession/1027882276/chat/H1/events?from=' + n
  if (!xml) {
    return JSON.stringify({ events: { link: [{ '@href': next, '@rel': 'next' }], event: events.map((e) => {
      const { id, type, ...rest } = e
      return { '@id': String(id), '@type': type, ...rest }
    }) } })
  }
  const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;')
  return `<?xml version="1.0" encoding="UTF-8"?><events><link href="${esc(next)}" rel="next"/>${events.map((e) => {
    const { id, type, ...rest } = e
    return `<event id="${id}" type="${type}">${Object.entries(rest).map(([k, v]) => `<${k}>${esc(v)}</${k}>`).join('')}</event>`
  }).join('')}</events>`
}

// What "JSON.parse plus objects" means: the parsed tree turned into the same model objects
// decode returns (ids, '@' dropped, one-element lists as arrays, enum-like fields kept).
function modelFromJson(text) {
  const root = JSON.parse(text).events
  return {
    event: list(root.event).map((e) => {
      const out = { id: String(attr(e, 'id')), type: attr(e, 'type') }
      if (e.time !== undefined) out.time = e.time
      if (out.type === 'state') out.state = e.state
      else if (out.type === 'line') {
        out.text = e.text ?? ''
        out.textType = e.textType ?? 'plain'
        for (const k of ['by', 'source', 'subType', 'systemMessageId']) if (e[k] !== undefined) out[k] = e[k]
      }
      return out
    }),
    link: list(root.link).map((l) => ({ href: attr(l, 'href'), rel: attr(l, 'rel') })),
  }
}

const xmlParser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', parseTagValue: false, isArray: (name) => name === 'event' || name === 'link' })

function rate(fn, ms = 1500) {
  for (let i = 0; i < 200; i++) fn() // warm-up
  let n = 0
  const start = process.hrtime.bigint()
  const until = start + BigInt(ms) * 1000000n
  let now = start
  while (now < until) {
    for (let i = 0; i < 50; i++) fn()
    n += 50
    now = process.hrtime.bigint()
  }
  return n / (Number(now - start) / 1e9)
}

const canon = (o) => JSON.stringify(Object.fromEntries(Object.entries(o).sort(([x], [y]) => (x < y ? -1 : 1))))

function decodeBench() {
  const rows = []
  for (const n of [10, 200]) {
    const json = eventsBody(n, false)
    const xml = eventsBody(n, true)
    const a = decode('events', json)
    const b = modelFromJson(json)
    if (a.event.length !== n || b.event.length !== n || canon(a.event[1]) !== canon(b.event[1])) {
      throw new Error(`the baselines do not build the same model: ${JSON.stringify(a.event[1])} vs ${JSON.stringify(b.event[1])}`)
    }
    if (decode('events', xml).event.length !== n || xmlParser.parse(xml).events.event.length !== n) throw new Error('xml')
    rows.push({
      events: n,
      json: { decode: rate(() => decode('events', json, { format: 'json' })), baseline: rate(() => modelFromJson(json)), bytes: json.length },
      xml: { decode: rate(() => decode('events', xml, { format: 'xml' })), baseline: rate(() => xmlParser.parse(xml)), bytes: xml.length },
    })
  }
  // A real fixture too (the documented A15 body).
  const fixture = readFileSync(`${fixtures}agent/events.basic.json`, 'utf8')
  rows.push({ events: 'fixture', json: { decode: rate(() => decode('events', fixture)), baseline: rate(() => modelFromJson(fixture)), bytes: fixture.length } })
  return rows
}

// ---- the run ------------------------------------------------------------------------------
const fmt = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(2))
console.log(`node ${process.version}, ${VISITORS} scripted visitors x ${LINES} lines, emulator in its own process`)
const lp = await lpchatBot()
const plain = await fetchBot(runVisitors)
const perCpu = (r) => r.delivered / r.seconds
console.log(`lpchat bot: ${lp.delivered} events in ${fmt(lp.seconds)} CPU-s (${fmt(lp.wall)} s wall), ${fmt(perCpu(lp))} events per CPU-second; visitors got ${lp.echoes} echoes`)
console.log(`fetch bot:  ${plain.delivered} events in ${fmt(plain.seconds)} CPU-s (${fmt(plain.wall)} s wall), ${fmt(perCpu(plain))} events per CPU-second; visitors got ${plain.echoes - lp.echoes} echoes`)
console.log(`ratio: ${fmt(perCpu(lp) / perCpu(plain))}x events per CPU-second (aim >= 3x)`)
server.stdin.end()
for (const row of decodeBench()) {
  const j = row.json
  console.log(`decode events (${row.events}, JSON ${j.bytes} B): ${fmt(j.decode)}/s vs JSON.parse + objects ${fmt(j.baseline)}/s = ${fmt(j.decode / j.baseline)}x (aim >= 2x)`)
  if (row.xml) {
    const x = row.xml
    console.log(`decode events (${row.events}, XML ${x.bytes} B): ${fmt(x.decode)}/s vs fast-xml-parser ${fmt(x.baseline)}/s = ${fmt(x.decode / x.baseline)}x (aim >= 5x)`)
  }
}
