// A signal at any moment of a run (before sockcap listens, the check of the target, target
// and workers starting, warm-up, measuring, between steps) ends it within 2 s, with every
// file written and run.json saying where it stopped. A second signal during that finish ends
// its waits at once and never skips the writing.
import assert from 'node:assert/strict';
import { closeSync, constants, existsSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { execFileSync, spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { binPath, onlyRunDir, readCsv, readJson, startCli, tempDir, writeScenario } from './helpers/cli.js';
import { marked } from './helpers/processes.js';
import { startSilentWsServer } from './servers/silent-ws-server.js';

const dir = tempDir();
after(() => rmSync(dir, { recursive: true, force: true }));

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const scenario = writeScenario(
  dir,
  'two-steps.yaml',
  ['name: signals', 'connections: 4', 'duration: 3s', 'warmup: 1s', 'interval: 250ms', 'workers: 2', 'steps:', '  - name: first', '  - name: second', ''].join(
    '\n',
  ),
);

test('SIGTERM at any moment ends the run within 2 s, every file written, run.json saying where', async () => {
  const moments = [0, 150, 400, 700, 1000, 1500, 2200, 3000, 4200, 5200, 6500];
  const places = new Set<string>();
  for (const [i, moment] of moments.entries()) {
    const out = join(dir, `out-${i}`);
    const { child, result } = startCli(['run', scenario, '--out', out], dir);
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // From the moment the results folder exists (the first console line).
    for (let waited = 0; !/sockcap run /.test(stderr); waited += 20) {
      assert.ok(waited < 30_000, `never started: ${stderr}`);
      await sleep(20);
    }
    await sleep(moment);
    const signalled = Date.now();
    child.kill('SIGTERM');
    // A second signal half-way through the finish shortens waits, never the writing.
    if (i % 2 === 1) setTimeout(() => child.kill('SIGTERM'), 300);
    const { code } = await result;
    const took = Date.now() - signalled;
    const runDir = onlyRunDir(out);
    const run = readJson<{ status: string; reason: string }>(join(runDir, 'run.json'));
    // 2 s is the promise: the waits after a signal take 600 ms at most (the target 200 ms more), and no file is drawn twice.
    assert.ok(took < 2000, `signalled at ${moment} ms (${run.reason}): ended ${took} ms later`);
    if (run.status === 'completed') continue;
    assert.equal(code, 3, stderr);
    assert.equal(run.status, 'interrupted');
    assert.match(run.reason, /^stopped by signal (before the first step|in step (first|second), .+|after step (first|second).*)$/);
    places.add(run.reason.replace(/^stopped by signal /, ''));
    assertFilesWritten(runDir, `signalled at ${moment} ms`);
  }
  assert.ok(places.size >= 2, `stopped in several places: ${[...places].join(' | ')}`);
});

function assertFilesWritten(runDir: string, when: string): void {
  for (const file of ['summary.csv', 'timeseries.csv', 'latency.csv', 'errors.csv', 'report.html']) {
    assert.ok(existsSync(join(runDir, file)), `${file} written when ${when}`);
  }
  assert.match(readFileSync(join(runDir, 'summary.csv'), 'utf8'), /^[^\n]+\n/, 'summary.csv has its header at least');
}

/** Starts `sockcap run`, waits for its first measured interval, sends SIGTERM `signals` times 100 ms apart; how long from the first to its end. */
async function stopMeasuringRun(file: string, out: string, signals: number): Promise<{ took: number; code: number | null; stderr: string; runDir: string }> {
  const { child, result } = startCli(['run', file, '--out', out, '--no-progress'], dir);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timeseriesLines = (): number => {
    const file = existsSync(out) ? join(onlyRunDir(out), 'timeseries.csv') : '';
    return file && existsSync(file) ? readFileSync(file, 'utf8').split('\n').length : 0;
  };
  for (let waited = 0; timeseriesLines() < 3; waited += 20) {
    assert.ok(waited < 60_000, `never measured: ${stderr}`);
    await sleep(20);
  }
  const signalled = Date.now();
  for (let i = 0; i < signals; i++) {
    if (i > 0) await sleep(100);
    child.kill('SIGTERM');
  }
  const { code } = await result;
  return { took: Date.now() - signalled, code, stderr, runDir: onlyRunDir(out) };
}

test('a second signal ends the waits of the finish at once and still writes every file', async (t) => {
  // A WebSocket peer that never answers a close: each connection's close waits for it, so the finish has something to wait for.
  const server = await startSilentWsServer();
  try {
    const file = writeScenario(
      dir,
      'silent.yaml',
      [
        'name: silent',
        `target: ${server.url}`,
        'protocol: websocket',
        'workload: hold',
        'connections: 4',
        'workers: 1',
        'duration: 20s',
        'interval: 250ms',
        '',
      ].join('\n'),
    );
    const once = await stopMeasuringRun(file, join(dir, 'once'), 1);
    const twice = await stopMeasuringRun(file, join(dir, 'twice'), 2);
    for (const [name, stopped] of Object.entries({ once, twice })) {
      assert.equal(stopped.code, 3, `${name}: ${stopped.stderr}`);
      const run = readJson<{ status: string; reason: string }>(join(stopped.runDir, 'run.json'));
      assert.equal(run.status, 'interrupted', name);
      assert.match(run.reason, /^stopped by signal in step main, measuring$/, name);
      assertFilesWritten(stopped.runDir, `signalled ${name}`);
      assert.equal(readCsv(join(stopped.runDir, 'summary.csv')).length, 1, `${name}: the measured step has its row`);
      assert.ok(stopped.took < 2000, `${name}: ended ${stopped.took} ms after the first signal`);
    }
    assert.match(twice.stderr, /sockcap: stopping now: no more waiting for workers or the target, writing the files of what was measured/);
    assert.doesNotMatch(once.stderr, /stopping now/);
    t.diagnostic(`one signal: ended ${once.took} ms after it; two signals: ${twice.took} ms after the first`);
    // Alone, the first signal waits up to 600 ms for the connections to close; the second one cut that short.
    assert.ok(twice.took + 200 < once.took, `one signal: ended after ${once.took} ms; two: after ${twice.took} ms`);
  } finally {
    await server.close();
  }
});

test('a signal while the target is being checked stops the check at once, and run.json says so', async () => {
  // Accepts the connection and never answers the TLS handshake, which the check waits 3 s for.
  let signal: () => void = () => {};
  const silent = createServer((socket) => {
    socket.on('error', () => {});
    signal();
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = silent.address() as AddressInfo;
    const file = writeScenario(dir, 'checked.yaml', ['name: checked', `target: https://127.0.0.1:${port}/`, 'connections: 2', 'duration: 2s', ''].join('\n'));
    const out = join(dir, 'checked');
    const { child, result } = startCli(['run', file, '--out', out, '--no-progress'], dir);
    let signalled = 0;
    signal = () => {
      signalled = Date.now();
      child.kill('SIGTERM');
    };
    const { code, stderr } = await result;
    const took = Date.now() - signalled;
    assert.ok(signalled > 0, `the check never connected: ${stderr}`);
    assert.equal(code, 3, stderr);
    assert.ok(took < 2000, `ended ${took} ms after the signal`);
    const runDir = onlyRunDir(out);
    const run = readJson<{ status: string; reason: string }>(join(runDir, 'run.json'));
    assert.equal(run.status, 'interrupted');
    assert.equal(run.reason, 'stopped by signal before the first step, checking the target');
    assertFilesWritten(runDir, 'signalled during the check');
  } finally {
    silent.close();
  }
});

test('a signal while the scenario is read (before a run listens for signals) ends sockcap at once, saying so, exit 3', async () => {
  // A scenario file that is a named pipe: sockcap waits in reading it for as long as the test holds it open.
  const fifo = join(dir, 'waiting.yaml');
  execFileSync('mkfifo', [fifo]);
  const { child, result } = startCli(['run', fifo, '--out', join(dir, 'fifo')], dir);
  let writer: number | undefined;
  for (let waited = 0; writer === undefined; waited += 20) {
    assert.ok(waited < 30_000, 'sockcap never opened the scenario');
    try {
      // Fails (ENXIO) until a reader has the pipe open.
      writer = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    } catch {
      await sleep(20);
    }
  }
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    child.kill('SIGTERM');
    // Said while the read still waits: the signal was taken during it.
    for (let waited = 0; !stderr.includes('\n'); waited += 20) {
      assert.ok(waited < 10_000, 'no word after the signal');
      await sleep(20);
    }
    assert.equal(stderr, 'sockcap: stopped by SIGTERM: no run was going on, so nothing was measured and no process is left\n');
  } finally {
    // Node's exit waits for the pending read of the pipe: the end of the file lets it go.
    closeSync(writer);
  }
  const { code } = await result;
  assert.equal(code, 3, stderr);
  assert.ok(!existsSync(join(dir, 'fifo')), 'no results folder');
});

test('a signal before sockcap listens for signals itself ends it at once, with no process left', async () => {
  // From the first moments of Node's start-up to the scenario being read: no run, no child yet.
  for (const moment of [0, 100, 300, 600, 1000]) {
    const mark = `SOCKCAP_EARLY_SIGNAL=${process.pid}-${moment}`;
    const out = join(dir, `early-${moment}`);
    const child = spawn(process.execPath, [binPath, 'run', '-c', '2', '-d', '5s', '--out', out], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, SOCKCAP_EARLY_SIGNAL: `${process.pid}-${moment}` },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('close', (code, signal) => resolve({ code, signal })),
    );
    await sleep(moment);
    const signalled = Date.now();
    child.kill('SIGTERM');
    const { code, signal } = await closed;
    assert.ok(Date.now() - signalled < 2000, `signalled at ${moment} ms: ended ${Date.now() - signalled} ms later`);
    if (signal === 'SIGTERM') {
      // Before Node ran sockcap's first line: ended by the signal itself, having started nothing.
      assert.equal(stderr, '');
    } else if (existsSync(out)) {
      // The run had begun: its own orderly stop.
      assert.equal(code, 3, stderr);
      assert.equal(readJson<{ status: string }>(join(onlyRunDir(out), 'run.json')).status, 'interrupted');
    } else {
      assert.equal(code, 3, stderr);
      assert.match(stderr, /^sockcap: stopped by SIGTERM: no run was going on, so nothing was measured and no process is left\n$/);
    }
    await sleep(300);
    assert.deepEqual(marked(mark), [], `signalled at ${moment} ms: processes left behind`);
  }
});
