// What a process loads before it does anything: every module costs CPU at start-up, in the
// coordinator and again in every worker thread, and `time sockcap run` counts it. These
// read the modules a fresh Node process holds after importing sockcap's entry points.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const dist = fileURLToPath(new URL('../src/', import.meta.url));

/** The CommonJS files a new process has loaded after importing `entry` (a file under dist/src/). */
async function commonJsLoadedBy(entry: string): Promise<string[]> {
  const script = `await import(${JSON.stringify(dist + entry)});
const { createRequire } = await import('node:module');
console.log(JSON.stringify(Object.keys(createRequire(${JSON.stringify(dist)}).cache)));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]);
  return JSON.parse(stdout) as string[];
}

for (const entry of ['worker/entry.js', 'cli/run.js']) {
  test(`${entry} loads undici's Client, not undici's index (fetch, caches, mocks, its WebSocket)`, async () => {
    const loaded = await commonJsLoadedBy(entry);
    assert.ok(
      loaded.some((file) => file.endsWith('/undici/lib/dispatcher/client.js')),
      'the Client itself is loaded',
    );
    assert.deepEqual(
      loaded.filter((file) => file.endsWith('/undici/index.js') || file.includes('/undici/lib/web/')),
      [],
    );
  });
}
