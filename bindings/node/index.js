'use strict'
// The `lpchat` package: the generated native binding (native.js, built by `napi build`)
// with what napi cannot express added here: `LpchatError` (every failure has `.code` and,
// where there is one, `.status`), async iteration of event streams, per-type handler
// methods, `Symbol.asyncDispose`, and inspect output without secrets. No protocol logic.

const util = require('node:util')
const native = require('./native.js')

/** What starts the message of an error made by the Rust side (src/error.rs MARK). */
const MARK = '\u0001lpchat:'

/** The codes of docs/errors.md that this package produces. */
const ERROR_CODES = Object.freeze(native.errorCodes())

/** Every error of the package: `.code` is stable (shared with the Python package). */
class LpchatError extends Error {
  constructor(payload) {
    super(payload.message)
    this.name = 'LpchatError'
    this.code = payload.code
    for (const key of ['status', 'reason', 'endpoint', 'kind', 'resource', 'format', 'path']) {
      if (payload[key] !== undefined && payload[key] !== null) this[key] = payload[key]
    }
  }
}

/** The native error as an LpchatError (other errors, e.g. a TypeError of napi's argument
 * checks, pass through unchanged). */
function convert(err) {
  if (err instanceof Error && typeof err.message === 'string' && err.message.startsWith(MARK)) {
    let payload
    try {
      payload = JSON.parse(err.message.slice(MARK.length))
    } catch {
      return err
    }
    const converted = new LpchatError(payload)
    // Keep the caller's frames: the native error's stack is the useful one.
    if (typeof err.stack === 'string') {
      converted.stack = `LpchatError: ${payload.message}\n${err.stack.split('\n').slice(1).join('\n')}`
    }
    return converted
  }
  return err
}

function wrap(fn) {
  return function wrapped(...args) {
    let result
    try {
      result = fn.apply(this, args)
    } catch (e) {
      throw convert(e)
    }
    if (result !== null && typeof result === 'object' && typeof result.then === 'function') {
      return result.then(undefined, (e) => {
        throw convert(e)
      })
    }
    return result
  }
}

/** Converts the errors of every method (and static method) of a native class. */
function patch(cls) {
  for (const name of Object.getOwnPropertyNames(cls.prototype)) {
    if (name === 'constructor') continue
    const desc = Object.getOwnPropertyDescriptor(cls.prototype, name)
    if (desc && typeof desc.value === 'function' && (desc.configurable || desc.writable)) {
      Object.defineProperty(cls.prototype, name, { ...desc, value: wrap(desc.value) })
    }
  }
  return new Proxy(cls, {
    // A failing constructor throws an LpchatError too. The class itself is the new.target:
    // napi's constructor wraps the native object into `this` of its own class.
    construct(t, args) {
      try {
        return Reflect.construct(t, args, t)
      } catch (e) {
        throw convert(e)
      }
    },
  })
}

const asyncDispose = Symbol.asyncDispose ?? Symbol.for('nodejs.asyncDispose')

/** `for await (const ev of session.events())`: ends when the session has finished. */
native.EventStream.prototype[Symbol.asyncIterator] = function () {
  const stream = this
  return {
    async next() {
      const value = await stream.next()
      return value === null ? { done: true, value: undefined } : { done: false, value }
    },
    // Leaving the loop early (break, throw) keeps the stream: the events go on buffering
    // in the session until it is closed.
    async return() {
      return { done: true, value: undefined }
    },
    [Symbol.asyncIterator]() {
      return this
    },
  }
}

// Per-type handlers, as the Rust HandlerRegistry: called before the event reaches the
// stream. Every call of every handler comes through one weak (unref'd) threadsafe function,
// so no handler keeps a finished process alive, and the callback is forgotten once the
// Rust side drops the handler (`done`), so none outlives its session.
const callbacks = new Map()
let nextHandler = 1
native.setDispatcher((message) => {
  const callback = callbacks.get(message.id)
  if (message.done) callbacks.delete(message.id)
  else if (callback) callback(...message.args)
})

const HANDLERS = {
  onAny: 'any',
  onChatEvent: 'chatEvent',
  onChatOffered: 'chatOffered',
  onChatAccepted: 'chatAccepted',
  onChatEnded: 'chatEnded',
  onSession: 'session',
  onAvailability: 'availability',
}
for (const [method, kind] of Object.entries(HANDLERS)) {
  native.AgentSession.prototype[method] = function (callback) {
    if (typeof callback !== 'function') {
      throw new LpchatError({ code: 'LPCHAT_CONFIG', message: `${method} needs a function` })
    }
    while (callbacks.has(nextHandler)) nextHandler = (nextHandler % 0xfffffffe) + 1
    const id = nextHandler
    nextHandler = (nextHandler % 0xfffffffe) + 1
    callbacks.set(id, callback)
    try {
      this.addHandler(kind, id)
    } catch (e) {
      callbacks.delete(id)
      throw convert(e)
    }
    return this
  }
}

/** How many handler callbacks are held (for the tests: none outlives its session). */
function liveHandlers() {
  return callbacks.size
}

for (const cls of [native.AgentSession, native.VisitorChat]) {
  cls.prototype[asyncDispose] = async function () {
    await this.close()
  }
}

native.Client.prototype[util.inspect.custom] = function () {
  return `Client { account: ${util.inspect(this.account)} }`
}
native.VisitorChat.prototype[util.inspect.custom] = function () {
  return `VisitorChat { id: ${util.inspect(this.id)} }`
}
native.AgentSession.prototype[util.inspect.custom] = function () {
  return 'AgentSession {}'
}

const Client = patch(native.Client)
for (const cls of [native.AgentSession, native.EventStream, native.Visitor, native.VisitorChat]) patch(cls)

// Plain `exports.x =` lines: what Node's CommonJS lexer reads as named exports for `import { x }`.
exports.Client = Client
exports.AgentSession = native.AgentSession
exports.EventStream = native.EventStream
exports.Visitor = native.Visitor
exports.VisitorChat = native.VisitorChat
const decodeJson = wrap(native.decodeJson)
/** decode(resource, body, options): the model of one body, as plain objects. */
exports.decode = function decode(resource, body, options) {
  return JSON.parse(decodeJson(resource, body, options))
}
exports.resources = native.resources
exports.LpchatError = LpchatError
exports.ERROR_CODES = ERROR_CODES
// For lpchat/testing (same addon, same error conversion).
exports._native = native
exports._liveHandlers = liveHandlers
exports._liveObjects = native.liveObjects
exports._patch = patch
exports._wrap = wrap
exports._asyncDispose = asyncDispose
