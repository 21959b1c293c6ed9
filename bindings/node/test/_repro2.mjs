import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { Client } from 'lpchat'
import { BOT } from 'lpchat/testing'
const server = spawn(process.execPath, ['../bench/emulator-server.mjs'], { stdio: ['pipe', 'pipe', 'inherit'], cwd: new URL('.', import.meta.url).pathname })
const replies = createInterface({ input: server.stdout })[Symbol.asyncIterator]()
const { baseUrl, account } = JSON.parse((await replies.next()).value)
const client = new Client(account, { domainOrigin: baseUrl, retry: process.env.FAST ? { scheduleMs: [100, 200, 400], outerMs: 500 } : undefined })
const session = await client.agentSession(BOT, { autoAccept: true })
const events = session.events()
for await (const ev of events) if (ev.type === 'agentSessionStarted') break
server.stdin.write(JSON.stringify({ visitors: 40, lines: ['line 0','line 1','line 2','line 3','line 4'], paceMs: 500, startIntervalMs: 100, answerTimeoutMs: 600000 }) + '\n')
const accepted = new Set(), ended = new Set(), per = {}, other = []
const timer = setTimeout(() => session.close(), 40000)
for await (const ev of events) {
  if (ev.type === 'chatAccepted') accepted.add(ev.chat)
  else if (ev.type === 'chatEnded') { ended.add(ev.chat); if (ended.size === 40) break }
  else if (ev.type === 'chatEvent') { (per[ev.chat] ??= []).push(`${ev.event.id}:${ev.event.type}:${ev.event.text ?? ev.event.state}`)
    if (ev.event.type === 'line' && ev.event.source === 'visitor') session.sendLine(ev.chat, `echo ${ev.event.text}`).catch((e) => other.push(`send failed ${e.code} ${e.reason}`)) }
  else if (!['lineDelivered','infoUpdated','chatOffered','offerWithdrawn'].includes(ev.type)) other.push(JSON.stringify(ev).slice(0,200))
}
clearTimeout(timer)
const missing = [...accepted].filter((c) => !ended.has(c))
console.log('accepted', accepted.size, 'ended', ended.size, 'missing', missing)
for (const c of missing) console.log('delivered', per[c]?.join(' | '))
console.log(other.join('\n'))
server.kill()
