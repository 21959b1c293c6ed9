// The TypeScript declarations are real: test/types/ok.ts (the API as a TS user writes it,
// with narrowing on event discriminants) type-checks with `tsc --noEmit`, and
// test/types/bad.ts fails with an error on exactly each line marked `// error:` (a
// misspelt option or field, a field of another event type, a wrong argument type).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const tsc = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url))
const run = (project) =>
  promisify(execFile)(process.execPath, [tsc, '-p', project], { cwd: root }).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e) => ({ code: e.code, out: `${e.stdout}${e.stderr}` }),
  )

test('ok.ts type-checks against index.d.ts and testing.d.ts', { timeout: 120000 }, async () => {
  const r = await run('test/types/tsconfig.json')
  assert.equal(r.code, 0, r.out)
})

test('bad.ts fails on each marked line, and only there', { timeout: 120000 }, async () => {
  const r = await run('test/types/tsconfig.bad.json')
  assert.notEqual(r.code, 0, 'bad.ts must not compile')
  const source = readFileSync(`${root}test/types/bad.ts`, 'utf8').split('\n')
  const marked = source.flatMap((line, i) => (/^\s*[^/\s].*\/\/ error:/.test(line) ? [i + 1] : []))
  const failing = [...new Set([...r.out.matchAll(/bad\.ts\((\d+),\d+\): error/g)].map((m) => Number(m[1])))]
  assert.ok(marked.length >= 8, `${marked.length} marked lines`)
  assert.deepEqual(failing.sort((a, b) => a - b), marked, r.out)
})
