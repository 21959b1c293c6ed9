// Must type-check against index.d.ts / testing.d.ts (tsc --noEmit): the API as a TypeScript
// user writes it. Never run; the runtime behaviour is tested by the .test.mjs files.
import { Client, LpchatError, decode, type SessionEvent, type ChatEvent, type ErrorCode } from 'lpchat'
import { Emulator, clientOptions, agent, APP_KEY } from 'lpchat/testing'

async function bot(): Promise<number> {
  const emu = await Emulator.start({ seed: 1, timeFactor: 10 })
  const client = new Client(emu.account, clientOptions(emu, { format: 'xml' }))
  const session = await client.agentSession(agent(1), { autoAccept: true, initialAvailability: 'Online' })
  session
    .onChatEvent((chat: string, ev: ChatEvent) => {
      if (ev.type === 'line') console.log(chat, ev.text.toUpperCase(), ev.source)
    })
    .onChatEnded((chat) => console.log(chat.length))
  let lines = 0
  for await (const ev of session.events()) {
    // Narrowing on the discriminant: each branch sees its own fields.
    switch (ev.type) {
      case 'chatEvent':
        if (ev.event.type === 'line' && ev.event.source === 'visitor') {
          const id: string | null = await session.sendLine(ev.chat, `you said ${ev.event.text}`)
          lines += id === null ? 0 : 1
        }
        break
      case 'chatEnded':
        console.log(ev.reason.kind)
        break
      case 'sessionLost':
        console.log(ev.reason.kind, ev.reason.status ?? 0)
        break
      case 'availabilityForced':
        console.log(ev.wanted, ev.seen)
        break
    }
  }
  const info = await session.agentInfo()
  console.log(info.loginName, info.skillsInfo?.skillInfo?.[0]?.name)
  const token: string = await session.cursorToken()
  const stats = session.stats()
  console.log(token, stats.requests + stats.retried)
  const visitor = await client.visitor(APP_KEY)
  const chat = await visitor.requestChat({ skill: 'Sales' })
  // Every setting of the Rust client (docs/node.md "Settings").
  const tuned = new Client(emu.account, clientOptions(emu, {
    eventBuffer: 64,
    wire: { formatSuffix: true, realVerbs: true, requestedWith: true, appKeyInQuery: false },
    transport: { maxBody: 1 << 20, poolMaxIdlePerHost: 8, poolIdleTimeoutMs: null, maxInFlight: 32, userAgent: 'bot/1' },
    retry: { scheduleMs: [100, 200], outerMs: 500, maxRetryAfterMs: 1000, jitter: 0, rateLimitFloorMs: 500, rateLimitRetries: 3 },
  }))
  const tunedSession = await tuned.agentSession(agent(2), {
    incomingIntervalMs: 5000,
    requestDeadlineMs: 90000,
    login: { refreshMaxMs: 60000, signRequests: false, maxRelogins: 5 },
  })
  await tunedSession.close()
  const tunedChat = await visitor.requestChat(undefined, { pollIntervalMs: 1000, keepaliveIntervalMs: 10000, requestDeadlineMs: 90000 })
  await visitor.resumeChat('href', 'token', { requestDeadlineMs: 90000 })
  await tunedChat.close()
  await chat.send({ type: 'line', text: 'hi', textType: 'html' })
  const available: boolean = await visitor.availability('Sales')
  console.log(available, (await chat.resumePoint()).href)
  await session.transfer('H1', { skill: { id: '2' }, text: 'note' })
  emu.addFault({ route: '*/events', type: 'status', status: 503, probability: 0.5 })
  emu.addFault({ route: '*', type: 'latency', ms: 10 })
  const tally = emu.checkEvents([{ H1: ['1', 2] }])
  console.log(tally.lost + tally.doubled)
  await session[Symbol.asyncDispose]()
  await chat.close()
  await emu.close()
  return lines
}

function handle(e: unknown): ErrorCode | undefined {
  if (e instanceof LpchatError) {
    const status: number | undefined = e.status
    console.log(status)
    return e.code
  }
  return undefined
}

const model = decode('events', '{"events":{}}', { format: 'json' })
const firstId: string | undefined = model.event?.[0]?.id
const events: SessionEvent[] = []
console.log(model, firstId, events, handle, bot)
