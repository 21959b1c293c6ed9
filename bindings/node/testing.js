'use strict'
// `lpchat/testing`: the in-process emulator (lpchat-emulator) for your own node:test or jest
// suites: start/close, address, scripted visitors, faults, quirks, transcripts, and the
// no-loss checks of lpchat_emulator::check.

const util = require('node:util')
const { _native: native, _patch: patch, _wrap: wrap, _asyncDispose: asyncDispose } = require('./index.js')

native.Emulator.prototype[asyncDispose] = async function () {
  await this.close()
}
native.Emulator.prototype[util.inspect.custom] = function () {
  return `Emulator { baseUrl: ${util.inspect(this.baseUrl)}, account: ${util.inspect(this.account)} }`
}
patch(native.Emulator)
patch(native.VisitorGroup)
/** `Emulator.start(options)`; napi's static factory is not configurable, so it is wrapped
 * here (its errors become LpchatErrors) and `instanceof Emulator` still holds. */
const Emulator = Object.freeze({
  start: wrap((options) => native.Emulator.start(options)),
  [Symbol.hasInstance]: (value) => value instanceof native.Emulator,
})

/** The emulator's visitor app key (the published one). */
const APP_KEY = '721c180b09eb463d9f3191c41762bb68'

/** The emulator's agents: agent1 (Sales), agent2, agent3 (Billing); password `password`. */
const agent = (n) => ({ user: `agent${n}`, password: 'password' })

/** The emulator's API-key bot (any number of chats at once; requests OAuth-signed). */
const BOT = Object.freeze({
  username: 'bot',
  apiKey: Object.freeze({
    appKey: 'emulatorbotappkey0000000000000001',
    secret: 'emulatorbotsecret01',
    accessToken: 'emulatorbotaccesstoken00000000001',
    accessTokenSecret: 'emulatorbottokensecret01',
  }),
})

/** A retry schedule short enough for tests (100, 200, 400 ms; outer loop 500 ms). */
const FAST_RETRY = Object.freeze({ scheduleMs: [100, 200, 400], outerMs: 500, maxRetryAfterMs: 1000 })

/** Client options for this emulator: its Domain API and the fast retry schedule. */
function clientOptions(emulator, extra = {}) {
  return { domainOrigin: emulator.baseUrl, retry: FAST_RETRY, seed: 7, ...extra }
}

// Plain `exports.x =` lines: what Node's CommonJS lexer reads as named exports for `import { x }`.
exports.Emulator = Emulator
exports.tokenPosition = native.tokenPosition
exports.VisitorGroup = native.VisitorGroup
exports.APP_KEY = APP_KEY
exports.agent = agent
exports.BOT = BOT
exports.FAST_RETRY = FAST_RETRY
exports.clientOptions = clientOptions
