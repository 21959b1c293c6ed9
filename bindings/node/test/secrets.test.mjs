// No secret in any error or log line: a child process runs with LPCHAT_LOG=trace (every log
// line of the client on stderr) through an API-key bot session with operations and a chat,
// refused passwords, bearers and JWTs, a refused app key and a proxy with a password, and
// prints every error (message, stack, JSON, inspect) and the inspect output of its objects.
// None of the secrets it used appears anywhere in what it wrote; the logs are there (the
// check is not vacuous).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const here = fileURLToPath(new URL('.', import.meta.url))

const SECRETS = {
  password: 'Zq9-pw-unique-4711',
  bearer: 'Bq7-bearer-unique-4711',
  csrf: 'Cq5-csrf-unique-4711',
  jwt: 'Jq3-jwt-unique-4711',
  appKey: 'Aq1appkeyunique4711000000000000',
  proxyPassword: 'Pq8-proxy-pw-4711',
  // The emulator bot's key: accepted, so its requests are signed with it all along.
  botSecret: 'emulatorbotsecret01',
  botTokenSecret: 'emulatorbottokensecret01',
  botAccessToken: 'emulatorbotaccesstoken00000000001',
  botAppKey: 'emulatorbotappkey0000000000000001',
}

const script = `
import util from 'node:util'
import { Client } from 'lpchat'
import { Emulator, clientOptions, BOT, APP_KEY } from 'lpchat/testing'
const S = ${JSON.stringify(SECRETS)}
const show = (label, e) => console.log(label, String(e), e?.stack, JSON.stringify(e), util.inspect(e))
const emu = await Emulator.start({ timeFactor: 10 })
const client = new Client(emu.account, clientOptions(emu))
const bot = await client.agentSession(BOT, { autoAccept: true })
const events = bot.events()
for await (const ev of events) if (ev.type === 'agentSessionStarted') break
console.log(util.inspect(client), util.inspect(bot), JSON.stringify(await bot.agentInfo()), JSON.stringify(await bot.availability()))
const visitor = await client.visitor(APP_KEY)
const chat = await visitor.requestChat({ skill: 'Sales' })
for await (const ev of events) if (ev.type === 'chatAccepted') break
await chat.sendLine('hello')
await bot.sendLine(chat.id, 'hi there')
console.log(util.inspect(chat), util.inspect(visitor), JSON.stringify(await chat.info().catch((e) => e)))
await chat.close()
await bot.close()
for (const credentials of [
  { user: 'agent1', password: S.password },
  { bearer: S.bearer, csrf: S.csrf },
  { jwt: S.jwt },
]) {
  const s = await client.agentSession(credentials)
  const waiting = s.availability().catch((e) => e)
  for await (const ev of s.events()) console.log(JSON.stringify(ev))
  show('lost:', await waiting)
  show('after:', await s.chatInfo('H1').catch((e) => e))
}
const stranger = await client.visitor(S.appKey)
show('app key:', await stranger.availability().catch((e) => e))
const proxied = new Client(emu.account, { domainOrigin: emu.baseUrl, transport: { proxy: 'http://user:' + S.proxyPassword + '@127.0.0.1:1' } })
show('proxy:', await proxied.domain('agentVep').catch((e) => e))
try { new Client(emu.account, { transport: { proxy: 'not a url ' + S.proxyPassword } }) } catch (e) { show('bad proxy:', e) }
await emu.close()
console.log('done')
`

test('no secret in any error, inspect output or log line', { timeout: 60000 }, async () => {
  const out = await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: here,
      env: { ...process.env, LPCHAT_LOG: 'trace' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => { stdout += d })
    child.stderr.on('data', (d) => { stderr += d })
    child.on('error', reject)
    child.on('exit', (code) => resolve({ code, stdout, stderr }))
  })
  assert.equal(out.code, 0, out.stdout + out.stderr.slice(-4000))
  assert.match(out.stdout, /done/)
  // The logs are there: the client's debug lines of requests and events.
  const logLines = out.stderr.split('\n').filter((l) => /DEBUG|TRACE/.test(l))
  assert.ok(logLines.length > 50, `${logLines.length} log lines`)
  assert.match(out.stderr, /agent_session/)
  // The errors are there, each with its code.
  for (const code of ['LPCHAT_SESSION_LOST', 'LPCHAT_UNAUTHORIZED', 'LPCHAT_TRANSPORT', 'LPCHAT_CONFIG']) {
    assert.ok(out.stdout.includes(code), `${code} printed`)
  }
  for (const [name, secret] of Object.entries(SECRETS)) {
    assert.ok(!out.stdout.includes(secret), `${name} in stdout`)
    assert.ok(!out.stderr.includes(secret), `${name} in the log`)
  }
})
