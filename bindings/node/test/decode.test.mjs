// decode(resource, body): every fixture of tests/fixtures (the files the Rust and Python
// suites read) decodes, a JSON fixture and its XML twin (`same_as`) decode to the same
// object, bad input fails with a typed LPCHAT_DECODE error that names resource, format and
// path but quotes nothing of the body, and secrets of a login body are masked.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { decode, resources, LpchatError } from 'lpchat'

const fixtures = fileURLToPath(new URL('../../../tests/fixtures/', import.meta.url))
const manifest = JSON.parse(readFileSync(`${fixtures}manifest.json`, 'utf8'))
const known = new Set(resources().map((r) => r.name))
const body = (file) => readFileSync(`${fixtures}${file}`)

test('resources() lists the table of lpchat_proto::resources', () => {
  for (const name of ['events', 'chat', 'info', 'agent-info', 'login', 'domain', 'survey', 'request-line']) {
    assert.ok(known.has(name), name)
  }
})

test('every good fixture decodes, in JSON and XML alike', () => {
  let decoded = 0
  let twins = 0
  for (const entry of manifest) {
    if (!known.has(entry.resource) || entry.expect?.error) continue
    const model = decode(entry.resource, body(entry.file), { format: entry.format })
    assert.notEqual(model, undefined, entry.file)
    decoded += 1
    if (entry.same_as && entry.format === 'json' && entry.same_as.endsWith('.xml')) {
      const twin = decode(entry.resource, body(entry.same_as).toString('utf8'))
      assert.deepEqual(model, twin, `${entry.file} vs ${entry.same_as}`)
      twins += 1
    }
  }
  assert.ok(decoded > 250, `${decoded} decoded`)
  assert.ok(twins > 80, `${twins} JSON/XML pairs compared`)
})

test('decoded models keep wire names without the XML @', () => {
  const events = decode('events', body('agent/events.basic.json'))
  const first = events.event[0]
  assert.equal(first.type, 'state')
  assert.equal(typeof first.id, 'string')
  assert.ok(!Object.keys(first).some((k) => k.startsWith('@')))
  const info = decode('agent-info', body('agent/agent-info.basic.xml'))
  assert.equal(info.loginName, 'John@company.com')
})

const KINDS = { syntax: /malformed|unexpected|empty body|root/, utf8: /UTF-8/, entity: /entity/, type: /unexpected value|malformed|root/ }

test('bad input fails with a typed LPCHAT_DECODE error that quotes nothing of the body', () => {
  let bad = 0
  for (const entry of manifest) {
    if (!entry.expect?.error || !known.has(entry.resource)) continue
    const raw = body(entry.file)
    assert.throws(() => decode(entry.resource, raw, { format: entry.format }), (e) => {
      assert.ok(e instanceof LpchatError && e instanceof Error, entry.file)
      assert.equal(e.code, 'LPCHAT_DECODE', `${entry.file}: ${e.message}`)
      assert.equal(e.resource, entry.resource)
      assert.equal(e.format, entry.format)
      assert.match(e.message, KINDS[entry.expect.error], `${entry.file}: ${e.message}`)
      assert.ok(!e.message.includes('`'), `no snippet: ${e.message}`)
      assert.ok(!/passwd|SYSTEM|ENTITY/.test(e.message), e.message)
      return true
    })
    bad += 1
  }
  assert.ok(bad >= 20, `${bad} bad fixtures`)
  // A value in a wrong place: the path is named, the value is not.
  assert.throws(() => decode('available-slots', '{"availableSlots":"s3cr3t-value"}'), (e) => {
    assert.equal(e.code, 'LPCHAT_DECODE')
    assert.ok(!e.message.includes('s3cr3t-value'), e.message)
    return true
  })
})

test('arbitrary bytes never crash decode: every failure is an LpchatError', () => {
  let seed = 42
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff)
  const samples = [Buffer.alloc(0), Buffer.from('   '), Buffer.from('{'), Buffer.from('<a>'), Buffer.from([0xff, 0xfe]), Buffer.from('<'.repeat(10000))]
  for (let i = 0; i < 300; i++) {
    const len = Math.floor(rand() * 200)
    samples.push(Buffer.from(Array.from({ length: len }, () => Math.floor(rand() * 256))))
  }
  for (const b of samples) {
    for (const resource of ['events', 'chat', 'login', 'survey']) {
      for (const format of ['json', 'xml']) {
        try {
          decode(resource, b, { format })
        } catch (e) {
          assert.ok(e instanceof LpchatError, String(e))
          assert.ok(e.code === 'LPCHAT_DECODE', e.message)
        }
      }
    }
  }
})

test('unknown resources and formats are LPCHAT_CONFIG; an unsniffable body too', () => {
  for (const call of [
    () => decode('no-such-resource', '{}'),
    () => decode('events', '{}', { format: 'yaml' }),
    () => decode('events', 'oauth_problem=x'),
  ]) {
    assert.throws(call, (e) => e instanceof LpchatError && e.code === 'LPCHAT_CONFIG')
  }
})

test('secrets of a decoded login body are masked unless asked for', () => {
  const raw = body('login/login.basic.json')
  const plain = JSON.parse(raw)
  const masked = decode('login', raw)
  assert.equal(masked.bearer, '***')
  assert.ok(!JSON.stringify(masked).includes(plain.bearer))
  assert.equal(decode('login', raw, { showSecrets: true }).bearer, plain.bearer)
})
