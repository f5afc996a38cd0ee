// workers: auto leaves a target on this machine the cores it needs and takes every core
// against a remote one; an explicit number is kept. The plan line says how many and why.
import assert from 'node:assert/strict';
import os from 'node:os';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { chooseWorkers, isThisMachine, targetPlacement } from '../src/coordinator/workers.js';
import { defaults } from '../src/scenario/defaults.js';
import { loadScenario } from '../src/api.js';
import type { StepScenario } from '../src/scenario/types.js';
import { runCli, tempDir, writeScenario } from './helpers/cli.js';

const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

async function step(text: string): Promise<StepScenario> {
  const dir = tempDir();
  dirs.push(dir);
  return (await loadScenario(writeScenario(dir, 's.yaml', text))).steps[0]!;
}

test('auto is the default, and a number or auto are the only values workers takes', async () => {
  assert.equal(defaults.workers, 0);
  assert.equal((await step('workers: auto\n')).workers, 0);
  assert.equal((await step('workers: 3\n')).workers, 3);
  await assert.rejects(step('workers: 0\n'), /workers: expected auto or a whole number of worker threads from 1 to \d+, got 0/);
  await assert.rejects(step('workers: many\n'), /workers: expected auto or a whole number of worker threads/);
});

test('auto leaves a target on this machine its cores and takes every core against a remote one', async () => {
  const auto = await step('protocol: http\n');
  const builtIn = (processes: number, cores: number) => chooseWorkers(auto, { kind: 'built-in', processes }, cores);
  assert.deepEqual(builtIn(1, 2), { total: 1, why: 'workers auto: 2 cores, 1 left to the built-in target' });
  assert.equal(builtIn(1, 8).total, 7, 'one single-threaded target process needs one core');
  assert.equal(builtIn(6, 8).total, 4, 'many target processes get half the cores');
  assert.equal(builtIn(1, 1).total, 1, 'never fewer than one');
  const local = chooseWorkers(auto, { kind: 'local', how: '127.0.0.1' }, 2);
  assert.deepEqual(local, { total: 1, why: 'workers auto: 2 cores, 1 left to the target on this machine (127.0.0.1)' });
  assert.equal(chooseWorkers(auto, { kind: 'local', how: '--target-pid 1' }, 8).total, 4);
  assert.deepEqual(chooseWorkers(auto, { kind: 'remote' }, 2), { total: 2, why: 'workers auto: every core (2), the target is on another machine' });
  const explicit = await step('workers: 3\n');
  assert.deepEqual(chooseWorkers(explicit, { kind: 'built-in', processes: 1 }, 2), { total: 3, why: undefined }, 'an explicit number wins');
});

test('a target on this machine is told from a remote one by its address, or by --target-pid', async () => {
  for (const host of ['127.0.0.1', '127.0.0.2', 'localhost', '[::1]', '::1']) assert.ok(isThisMachine(host), host);
  const own = Object.values(os.networkInterfaces())
    .flatMap((addresses) => addresses ?? [])
    .find((address) => !address.internal);
  if (own) assert.ok(isThisMachine(own.address), `this machine's own ${own.address}`);
  assert.ok(!isThisMachine('192.0.2.10'), 'a documentation address is another machine');
  assert.equal(targetPlacement(await step('protocol: http\n'), undefined, 3).kind, 'built-in');
  assert.equal(targetPlacement(await step('target: http://127.0.0.1:9/\n'), undefined, 0).kind, 'local');
  assert.equal(targetPlacement(await step('target: http://192.0.2.10/\n'), undefined, 0).kind, 'remote');
  assert.deepEqual(targetPlacement(await step('target: http://192.0.2.10/\n'), 4242, 0), { kind: 'local', how: '--target-pid 4242' });
});

test('the plan line says how many worker threads auto chose and why', async () => {
  const dir = tempDir();
  dirs.push(dir);
  const file = writeScenario(dir, 'auto.yaml', 'name: auto\nprotocol: http\nconnections: 4\nduration: 500ms\nwarmup: 0s\ninterval: 250ms\n');
  const { code, stderr, stdout } = await runCli(['run', file, '--out', join(dir, 'results'), '--no-progress'], dir);
  assert.equal(code, 0, stderr);
  const cores = os.availableParallelism();
  const expected = Math.max(1, Math.min(64, cores - Math.min(1, Math.ceil(cores / 2))));
  const output = stdout + stderr;
  assert.match(output, new RegExp(`1 process × ${expected} worker threads?.*workers auto: ${cores} cores, 1 left to the built-in target`));
});
