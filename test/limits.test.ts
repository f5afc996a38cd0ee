// A plan the machine cannot hold is refused before anything starts: one line, exit 2, the
// numbers and the fix. Nothing is forked and no results folder is made for it.
import assert from 'node:assert/strict';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { checkLimits } from '../src/coordinator/limits.js';
import { loadScenario } from '../src/api.js';
import { runCli, startCli, tempDir, writeScenario, type CliResult } from './helpers/cli.js';

const dir = tempDir();
const out = join(dir, 'results');
after(() => rmSync(dir, { recursive: true, force: true }));

async function refused(args: string[], pattern: RegExp): Promise<CliResult> {
  const started = Date.now();
  const result = await runCli([...args, '--out', out], dir);
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, pattern);
  assert.equal(result.stderr.trim().split('\n').length, 1, `one line: ${result.stderr}`);
  assert.ok(Date.now() - started < 20_000, 'refused at once');
  assert.ok(!existsSync(out), 'no results folder for a refused plan');
  return result;
}

test('a billion connections are refused with the processes they need and the most sockcap starts', async () => {
  await refused(['run', '-c', '1e9', '-d', '1s', '-w', '1'], /1000000000 connections need \d+ processes .* at most 64: lower connections to \d+ or less/);
});

test('an arrival rate beyond any generator, in one field or per thread, is refused', async () => {
  await refused(['run', '--set', 'workload=arrival-rate', '--set', 'rate=1e12'], /rate: expected a rate of at most 10000000\/s/);
  await refused(
    ['run', '--set', 'workload=arrival-rate', '--set', 'rate=5000000', '-w', '1', '-c', '2'],
    /5000000\/s over 1 worker thread is more than 1000000\/s each/,
  );
});

test("durations past Node's timer limit are refused, alone or added up", async () => {
  await refused(['run', '-d', '100000h'], /duration: expected a duration of at most 596h31m23\.647s \(Node's timer limit\)/);
  await refused(['run', '-d', '300h', '--set', 'warmup=300h'], /warmup and duration add up to 600h, past Node's timer limit/);
});

test('a message size past what ws accepts is refused', async () => {
  await refused(['run', '--set', 'websocket.messageSize=1GiB'], /websocket\.messageSize: expected a size of at most 100MiB/);
});

test('the memory a plan needs is checked against what the machine has', async () => {
  const scenario = await loadScenario(undefined, { set: ['connections=100000', 'processes=8', 'server.processes=8'] });
  const machine = { openFiles: 20_000, ports: 28_232, memoryBytes: 2 ** 30 };
  assert.throws(
    () => checkLimits(scenario.steps, 1, machine),
    /100000 connections in 16 processes and \d+ threads need about \d+\.\d GiB of memory, and this machine has 1\.0 GiB available: lower connections to about \d+/,
  );
  assert.deepEqual(checkLimits(scenario.steps, 1, { ...machine, memoryBytes: 64 * 2 ** 30 }), []);
});

test('--out under a regular file is a user mistake: exit 2 naming the flag', async () => {
  const file = join(dir, 'a-file');
  writeFileSync(file, 'x');
  const result = await runCli(['run', '-d', '1s', '--out', join(file, 'results')], dir);
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /--out .*a-file\/results: cannot create the results folder there \(ENOTDIR: part of the path is a file, not a folder\)/);
});

test('a huge scenario file and a header flood are refused in moments', async () => {
  const flood = join(dir, 'flood.json');
  writeFileSync(flood, JSON.stringify({ http: { headers: Object.fromEntries(Array.from({ length: 40_000 }, (_, i) => [`x-h${i}`, 'v'])) } }));
  await refused(['run', flood], /flood\.json: http\.headers: expected at most 100 headers \(servers refuse more\), got 40000/);
  const huge = join(dir, 'huge.json');
  writeFileSync(huge, JSON.stringify({ http: { headers: Object.fromEntries(Array.from({ length: 400_000 }, (_, i) => [`x-h${i}`, 'v'])) } }));
  await refused(['run', huge], /huge\.json: is \d+\.\d MiB; a scenario file is at most 1 MiB/);
});

test('an arrival-rate step far behind its schedule stops on the first SIGTERM within 2 s', async () => {
  // 10 minutes at 1,000,000/s on one thread: stopping used to take every arrival up to the
  // step's planned end, hundreds of millions of them, before it could exit.
  const { child, result } = startCli(
    ['run', '--set', 'workload=arrival-rate', '--set', 'rate=1000000', '-w', '1', '-c', '4', '-d', '10m', '--set', 'maxQueue=100', '--out', join(dir, 'rate')],
    dir,
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    for (let waited = 0; !/step 1\/\d+ .*: http, arrival-rate workload/.test(stderr); waited += 100) {
      assert.ok(waited < 30_000, `the step did not start: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));
  } finally {
    child.kill('SIGTERM');
  }
  const signalled = Date.now();
  const { code } = await result;
  const took = Date.now() - signalled;
  assert.equal(code, 3, stderr);
  assert.ok(took < 2000, `exited ${took} ms after SIGTERM`);
});

test('a Socket.IO client over polling is planned as the two sockets it holds, over WebSocket as one', async () => {
  const machine = { openFiles: 20_000, ports: 28_232, memoryBytes: 64 * 2 ** 30 };
  const plan = async (transports: string, processes: number): Promise<string[]> => {
    const file = writeScenario(
      dir,
      'socketio-hold.yaml',
      `protocol: socketio\nworkload: hold\nconnections: 15000\nprocesses: ${processes}\nserver: { processes: ${processes} }\nsocketio: { transports: ${transports} }\n`,
    );
    const scenario = await loadScenario(file, {});
    return checkLimits(scenario.steps, 1, machine);
  };
  assert.deepEqual(await plan('[websocket]', 1), []);
  await assert.rejects(
    plan('[polling]', 1),
    /15000 connections holding 30000 sockets over processes: 1 is 30000 sockets per process, .* at most 19800 sockets each\): set processes: 2 or more \(or auto\)/,
  );
  await assert.rejects(plan('[polling, websocket]', 1), /set processes: 2 or more/);
  assert.deepEqual(await plan('[polling]', 2), []);
});

test('the port warning counts a source address once for every destination, and tells the fix that helps', async () => {
  const machine = { openFiles: 20_000, ports: 28_232, memoryBytes: 64 * 2 ** 30 };
  const plan = async (lines: string, openFiles = machine.openFiles): Promise<string[]> => {
    const file = writeScenario(dir, 'ports.yaml', `protocol: websocket\nworkload: hold\nprocesses: auto\n${lines}\n`);
    return checkLimits((await loadScenario(file, {})).steps, 1, { ...machine, openFiles });
  };
  // Four target ports give 15,000 connections each: no warning without sources.
  assert.deepEqual(await plan('connections: 60000\nserver: { processes: 4 }'), []);
  // Bound to two source addresses, the same plan takes 30,000 ports of each address's 28,232.
  const [bound, ...more] = await plan('connections: 60000\nserver: { processes: 4 }\nsources: 127.0.0.1-127.0.0.2');
  assert.deepEqual(more, []);
  assert.match(bound ?? '', /about 30000 connections per source address, close to the 28232 ephemeral ports each address has for all destinations together/);
  assert.match(bound ?? '', /use 3 source addresses, or leave sources out and let server.processes spread them/);
  // One built-in target port (on a machine whose open-file limit allows it): more target processes, not source addresses.
  assert.match(
    (await plan('connections: 27000\nserver: { processes: 1 }', 100_000)).join(''),
    /about 27000 connections per destination.*set server.processes: 4 or more/,
  );
  // An external target is one destination: source addresses are the fix there.
  assert.match(
    (await plan('target: ws://127.0.0.1:9/\nconnections: 27000')).join(''),
    /about 27000 connections per destination.*add source addresses \(sources: 127.0.0.1-127.0.0.2\)/,
  );
});
