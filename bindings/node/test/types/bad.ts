// Must FAIL to type-check: each line marked `// error:` uses a field or value the types do
// not have. types.test.mjs checks that tsc reports an error on each marked line, so the
// declarations are real types, not `any`.
import { Client, decode } from 'lpchat'
import { Emulator, agent } from 'lpchat/testing'

async function wrong(): Promise<void> {
  const emu = await Emulator.start({ timeFactr: 10 }) // error: misspelt option
  const client = new Client(emu.account, { format: 'yaml' }) // error: not a format
  const session = await client.agentSession(agent(1), { autoAccept: 'yes' }) // error: not a boolean
  for await (const ev of session.events()) {
    if (ev.type === 'chatEvent') console.log(ev.ringingCount) // error: not on chatEvent
    if (ev.type === 'chatOffered') console.log(ev.chat) // error: not on chatOffered
    if (ev.type === 'chatEvent' && ev.event.type === 'state') console.log(ev.event.text) // error: a state has no text
  }
  await session.sendLine(42, 'hello') // error: a chat id is a string
  await session.transfer('H1', { skil: { id: '2' } }) // error: misspelt field
  const info = await session.agentInfo()
  console.log(info.loginNmae) // error: misspelt field
  await client.agentSession({ user: 'agent1' }) // error: a password is needed
  console.log(decode('agent-info', '{}').loginNmae) // error: decode's model is typed
  console.log(new Client(emu.account, { eventBuffer: '64' })) // error: a buffer is a number
  console.log(new Client(emu.account, { transport: { maxInFlight: 'all' } })) // error: a cap is a number or null
  await client.agentSession(agent(1), { login: { maxRelogins: true } }) // error: a count is a number
  await client.agentSession(agent(1), { incomingIntervalMs: '5s' }) // error: ms are a number
  console.log(new Client(emu.account, { retry: { rateLimitRetries: '3' } })) // error: a count is a number
}
console.log(wrong)
