// Every ```js example of docs/node.md runs: each as its own ES module in a child process
// (inside the package, so `lpchat` and `lpchat/testing` resolve), exiting 0 within 60 s.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'

const here = fileURLToPath(new URL('.', import.meta.url))
const doc = readFileSync(fileURLToPath(new URL('../../../docs/node.md', import.meta.url)), 'utf8')
const examples = [...doc.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1])

test('docs/node.md has examples', () => {
  assert.ok(examples.length >= 6, `${examples.length} examples`)
})

for (const [i, code] of examples.entries()) {
  const title = code.split('\n').find((l) => l.startsWith('test(') || l.startsWith('const ')) ?? ''
  test(`docs/node.md example ${i + 1}: ${title.slice(0, 60)}`, { timeout: 90000 }, async () => {
    // node:test inside the example reports through its own runner: a failing example test
    // exits non-zero.
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', code], {
      cwd: here,
      timeout: 60000,
    }).catch((e) => assert.fail(`example ${i + 1} failed (${e.code ?? e.signal}):\n${e.stdout}\n${e.stderr}`))
    assert.ok(!/^not ok/m.test(stdout), stdout + stderr)
  })
}
