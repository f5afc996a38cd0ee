// What a process loads before it does anything: every module costs CPU at start-up, in the
// coordinator and again in every worker thread, and `time sockcap run` counts it. These
// read the modules a fresh Node process holds after running a few lines of sockcap.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const dist = fileURLToPath(new URL('../src/', import.meta.url));

/** The CommonJS files a new process has loaded after running `script` (an ES module; `dist` is dist/src/). */
async function commonJsLoadedAfter(script: string): Promise<string[]> {
  const whole = `const dist = ${JSON.stringify(dist)};
${script}
const { createRequire } = await import('node:module');
console.log(JSON.stringify(Object.keys(createRequire(dist).cache)));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', whole]);
  return JSON.parse(stdout) as string[];
}

const inPackage = (files: string[], name: string): string[] => files.filter((file) => file.includes(`/node_modules/${name}/`));

test('the coordinator of sockcap run loads neither undici nor ws: only worker threads open connections', async () => {
  const loaded = await commonJsLoadedAfter(`await import(dist + 'cli/run.js');`);
  assert.deepEqual(inPackage(loaded, 'undici'), []);
  assert.deepEqual(inPackage(loaded, 'ws'), []);
});

test("an HTTP connection loads undici's Client, not undici's index (fetch, caches, mocks, its WebSocket)", async () => {
  const loaded = await commonJsLoadedAfter(`const { undiciParts } = await import(dist + 'protocols/undici-client.js');
const client = new (undiciParts().Client)('http://127.0.0.1:9');
await client.close();`);
  assert.ok(loaded.some((file) => file.endsWith('/undici/lib/dispatcher/client.js')));
  assert.deepEqual(
    inPackage(loaded, 'undici').filter((file) => file.endsWith('/undici/index.js') || file.includes('/undici/lib/web/')),
    [],
  );
});

test('sockcap run loads only its own command: not the prober, which loads ws', async () => {
  const loaded = await commonJsLoadedAfter(`const { commandsFor } = await import(dist + 'cli/main.js');
await commandsFor(['run', 'scenario.yaml']);`);
  assert.deepEqual(inPackage(loaded, 'ws'), []);
});

test('every verb loads the command of its name, and no verb or a typo loads them all (for --help)', async () => {
  const { commandsFor } = await import('../src/cli/main.js');
  const all = await commandsFor(['--help']);
  const names = all.map((command) => String(command.command).split(' ')[0]);
  assert.deepEqual(names, ['run', 'merge', 'serve', 'compare', 'report', 'sweep', 'probe', 'agent', 'schema']);
  for (const name of names)
    assert.deepEqual(
      (await commandsFor([name, '--help'])).map((command) => String(command.command).split(' ')[0]),
      [name],
    );
  assert.equal((await commandsFor(['rnu'])).length, names.length);
});

test("neither the coordinator nor a worker thread loads hdr-histogram-js's index (pako, base64-js, its WebAssembly build)", async () => {
  const loaded = await commonJsLoadedAfter(`await import(dist + 'cli/run.js');
await import(dist + 'worker/run-slice.js');
const { createHistogram, decodeHistogram, encodeHistogram } = await import(dist + 'metrics/histogram.js');
const histogram = createHistogram();
histogram.recordValue(1500);
if (decodeHistogram(encodeHistogram(histogram)).totalCount !== 1) throw new Error('round trip');`);
  assert.ok(loaded.some((file) => file.endsWith('/hdr-histogram-js/dist/Float64Histogram.js')));
  assert.deepEqual(
    inPackage(loaded, 'hdr-histogram-js').filter((file) => file.endsWith('/dist/index.js') || file.includes('/dist/wasm/') || file.endsWith('.encoding.js')),
    [],
  );
  assert.deepEqual([...inPackage(loaded, 'pako'), ...inPackage(loaded, 'base64-js')], []);
});

test("a worker thread loads only the protocol its slice drives: a WebSocket slice loads neither the HTTP drivers nor Node's http2", async () => {
  const script = `const dist = ${JSON.stringify(dist)};
const before = new Set(process.moduleLoadList);
await import(dist + 'worker/entry.js');
const { loadStepPlan } = await import(dist + 'protocols/load.js');
const { defaults } = await import(dist + 'scenario/defaults.js');
await loadStepPlan({ ...defaults, protocol: 'websocket' });
console.log(JSON.stringify(process.moduleLoadList.filter((name) => !before.has(name))));`;
  const builtIns = await builtInsLoadedBy(script);
  assert.ok(builtIns.includes('net'), 'the WebSocket driver was loaded');
  // ws needs node:http for its upgrade, and from Node 24 node:http itself loads http2: what
  // node:http brings on this Node line is not the slice's doing.
  const broughtByHttp = new Set(
    await builtInsLoadedBy(`const before = new Set(process.moduleLoadList);
await import('node:http');
console.log(JSON.stringify(process.moduleLoadList.filter((name) => !before.has(name))));`),
  );
  assert.deepEqual(
    builtIns.filter((name) => (name === 'http2' || name.startsWith('internal/http2/')) && !broughtByHttp.has(name)),
    [],
  );
});

async function builtInsLoadedBy(script: string): Promise<string[]> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]);
  return (JSON.parse(stdout) as string[]).filter((name) => name.startsWith('NativeModule ')).map((name) => name.slice('NativeModule '.length));
}

test('the protocols a worker loads one by one are the very modules of the registry', async () => {
  const { protocolModules } = await import('../src/protocols/index.js');
  const { loadProtocolModule } = await import('../src/protocols/load.js');
  for (const [protocol, module] of Object.entries(protocolModules)) {
    assert.equal(await loadProtocolModule(protocol as keyof typeof protocolModules), module, protocol);
  }
});
