// The emulator of the bench in a process of its own, so that the bots' CPU time is theirs
// alone. Prints `{baseUrl, account}`; then each stdin line is a scenario JSON: it runs those
// scripted visitors and prints `done` when they all finished.
import { createInterface } from 'node:readline'
import { Emulator } from 'lpchat/testing'

const emu = await Emulator.start({ seed: 5, timeFactor: 10 })
console.log(JSON.stringify({ baseUrl: emu.baseUrl, account: emu.account }))
for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue
  await emu.runVisitors(JSON.parse(line)).wait()
  const received = emu.visitorRecords().reduce((n, r) => n + r.received.filter((x) => x.text.startsWith('echo')).length, 0)
  console.log(JSON.stringify({ done: true, echoes: received }))
}
await emu.close()
