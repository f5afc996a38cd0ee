// Faults in the middle of a step, injected for real: a built-in target process or a
// generator process killed with SIGKILL, a worker thread that throws. Each ends the run at
// once as broken (exit 3) naming what died and how, with every file written and no cost
// computed from the broken step.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { binPath, onlyRunDir, readCsv, readJson, tempDir, type CliResult } from './helpers/cli.js';
import { spawn } from 'node:child_process';

const dir = tempDir();
after(() => rmSync(dir, { recursive: true, force: true }));

/** Children of `pid` whose command line mentions `entry`. */
function childrenRunning(pid: number, entry: string): number[] {
  let out = '';
  try {
    out = execFileSync('pgrep', ['-P', String(pid), '-f', entry], { encoding: 'utf8' });
  } catch {
    return [];
  }
  return out.split('\n').filter(Boolean).map(Number);
}

function start(args: string[], env: NodeJS.ProcessEnv = process.env): { pid: number; stderr: () => string; result: Promise<CliResult> } {
  const child = spawn(process.execPath, [binPath, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const result = new Promise<CliResult>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { pid: child.pid!, stderr: () => stderr, result };
}

async function waitFor(what: string, ok: () => boolean, stderr: () => string): Promise<void> {
  for (let waited = 0; !ok(); waited += 100) {
    assert.ok(waited < 30_000, `${what} never happened: ${stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function assertBrokenRun(out: string, result: CliResult, cause: RegExp): void {
  assert.equal(result.code, 3, result.stderr);
  assert.match(result.stderr, cause);
  const runDir = onlyRunDir(out);
  const run = readJson<{ status: string; reason: string }>(join(runDir, 'run.json'));
  assert.equal(run.status, 'broken');
  assert.match(run.reason, cause);
  for (const file of ['summary.csv', 'timeseries.csv', 'latency.csv', 'errors.csv', 'report.html']) {
    assert.ok(existsSync(join(runDir, file)), `${file} written`);
  }
  const [row] = readCsv(join(runDir, 'summary.csv'));
  assert.ok(row, 'the broken step has its summary row');
  assert.ok(readCsv(join(runDir, 'timeseries.csv')).length > 0, 'what was measured is kept');
  assert.equal(row.client_kib_per_conn, '', 'no cost from a broken step');
  assert.equal(row.server_kib_per_conn, '', 'no cost from a broken step');
}

const longStep = ['-c', '4', '-d', '60s', '--set', 'interval=250ms', '--set', 'workers=2'];

test('a built-in target process killed mid-step breaks the run at once: exit 3, the process named, every file written', async () => {
  const out = join(dir, 'target');
  const run = start(['run', ...longStep, '--out', out]);
  await waitFor('the step', () => /step 1\/\d+ /.test(run.stderr()), run.stderr);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const [target] = childrenRunning(run.pid, 'target/child.js');
  assert.ok(target, 'a built-in target process is running');
  const killedAt = Date.now();
  process.kill(target, 'SIGKILL');
  const result = await run.result;
  assert.ok(Date.now() - killedAt < 10_000, 'the run did not go on to the step’s end');
  assertBrokenRun(out, result, new RegExp(`built-in target \\(pid ${target}\\) exited unexpectedly \\(signal SIGKILL\\)`));
});

test('a generator process killed mid-step breaks the run at once, and no cost is computed from it', async () => {
  const out = join(dir, 'generator');
  const run = start(['run', ...longStep, '--set', 'processes=2', '--out', out]);
  await waitFor('the step', () => /step 1\/\d+ /.test(run.stderr()), run.stderr);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const [generator] = childrenRunning(run.pid, 'generator-process.js');
  assert.ok(generator, 'an extra generator process is running');
  const killedAt = Date.now();
  process.kill(generator, 'SIGKILL');
  const result = await run.result;
  assert.ok(Date.now() - killedAt < 10_000, 'the run did not go on to the step’s end');
  assertBrokenRun(out, result, new RegExp(`generator process ${generator} exited \\(SIGKILL\\)`));
});

test('a worker thread that crashes mid-step breaks the run: exit 3, the crash named, every file written', async () => {
  const out = join(dir, 'thread');
  const preload = fileURLToPath(new URL('./faults/crash-worker.js', import.meta.url));
  const started = Date.now();
  const run = start(['run', ...longStep, '--out', out], { ...process.env, NODE_OPTIONS: `--import=${preload}` });
  const result = await run.result;
  assert.ok(Date.now() - started < 30_000, 'the run did not go on to the step’s end');
  assertBrokenRun(out, result, /a generator crashed: injected crash of a worker thread/);
});
