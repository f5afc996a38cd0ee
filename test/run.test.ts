// End-to-end runs of the CLI against real servers on loopback.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { cellNumber, onlyRunDir, readCsv, readJson, runCli, startCli, tempDir, testDir, writeScenario } from './helpers/cli.js';
import http from 'node:http';
import { closerFor, listenOnFreePort } from './servers/listen.js';
import { startResetServer } from './servers/reset-server.js';
import { echoWebSockets } from './servers/ws-echo-server.js';

interface RunJsonDocument {
  status: string;
  environment: { openFileLimit: number; kernel: string; node: string };
  steps: { counters: { requests: number; messages: number }; targetCounted: Record<string, number> }[];
}

const base = `
duration: 2s
warmup: 0s
interval: 500ms
workers: 2
`;

test('HTTP keep-alive: the generator counts exactly the requests the built-in target counted', async (t) => {
  const dir = testDir(t);
  const file = writeScenario(dir, 'http.yaml', `name: http-e2e\nprotocol: http\nconnections: 8\n${base}`);
  const { code, stderr } = await runCli(['run', file, '--out', join(dir, 'results')], dir);
  assert.equal(code, 0, stderr);
  const runDir = onlyRunDir(join(dir, 'results'));
  for (const name of ['summary.csv', 'timeseries.csv', 'latency.csv', 'errors.csv', 'run.json']) {
    assert.ok(existsSync(join(runDir, name)), name);
  }
  const [row] = readCsv(join(runDir, 'summary.csv'));
  const run = readJson<RunJsonDocument>(join(runDir, 'run.json'));
  assert.equal(run.status, 'completed');
  assert.ok(cellNumber(row, 'requests') > 100, `requests ${row!.requests}`);
  assert.equal(cellNumber(row, 'requests'), run.steps[0]!.targetCounted.requests);
  assert.equal(cellNumber(row, 'new_connections'), 8);
  assert.equal(run.steps[0]!.targetCounted.connectionsAccepted, 8);
  assert.equal(cellNumber(row, 'errors'), 0);
  assert.ok(cellNumber(row, 'latency_p50_ms') > 0);
  assert.ok(cellNumber(row, 'latency_p99_ms') >= cellNumber(row, 'latency_p50_ms'));
  assert.ok(cellNumber(row, 'bytes_received') > cellNumber(row, 'requests') * 64, 'wire bytes include headers and bodies');
  assert.ok(cellNumber(row, 'server_cpu_pct') > 0, 'target CPU sampled from /proc');
  assert.ok(cellNumber(row, 'server_rss_mib') > 10);
  assert.ok(cellNumber(row, 'client_rss_mib') > 10);
  assert.ok(run.environment.openFileLimit > 0);
  const latency = readCsv(join(runDir, 'latency.csv'));
  assert.ok(latency.some((r) => r.metric === 'latency' && cellNumber(r, 'percentile') === 100));
  assert.ok(latency.some((r) => r.metric === 'connect'));
  assert.ok(existsSync(join(runDir, 'histograms', 'step-0-latency.hdr')));
  const timeseries = readCsv(join(runDir, 'timeseries.csv'));
  assert.ok(timeseries.length >= 4, `timeseries rows: ${timeseries.length}`);
  const perInterval = timeseries.reduce((sum, r) => sum + cellNumber(r, 'requests'), 0);
  assert.equal(perInterval, cellNumber(row, 'requests'), 'timeseries rows add up to the summary');
});

test('WebSocket echo: messages counted by the generator equal those the target echoed', async (t) => {
  const dir = testDir(t);
  const file = writeScenario(dir, 'ws.yaml', `name: ws-e2e\nprotocol: websocket\nconnections: 20\n${base}`);
  const { code, stderr } = await runCli(['run', file, '--out', join(dir, 'results')], dir);
  assert.equal(code, 0, stderr);
  const runDir = onlyRunDir(join(dir, 'results'));
  const [row] = readCsv(join(runDir, 'summary.csv'));
  const run = readJson<RunJsonDocument>(join(runDir, 'run.json'));
  assert.equal(row!.latency_metric, 'rtt');
  assert.ok(cellNumber(row, 'messages') > 100);
  assert.equal(cellNumber(row, 'messages'), run.steps[0]!.targetCounted.webSocketMessages);
  assert.equal(run.steps[0]!.targetCounted.webSocketsAccepted, 20);
  assert.ok(cellNumber(row, 'handshake_p50_ms') > 0);
  assert.equal(cellNumber(row, 'errors'), 0);
});

test('keepAlive: false opens one TCP connection per request, as the target counts them', async (t) => {
  const dir = testDir(t);
  const file = writeScenario(dir, 'close.yaml', `name: close-e2e\nprotocol: http\nconnections: 4\nhttp:\n  keepAlive: false\n${base}`);
  const { code, stderr } = await runCli(['run', file, '--out', join(dir, 'results')], dir);
  assert.equal(code, 0, stderr);
  const runDir = onlyRunDir(join(dir, 'results'));
  const [row] = readCsv(join(runDir, 'summary.csv'));
  const run = readJson<RunJsonDocument>(join(runDir, 'run.json'));
  const requests = cellNumber(row, 'requests');
  assert.ok(requests > 20);
  assert.equal(run.steps[0]!.targetCounted.requests, requests);
  assert.equal(run.steps[0]!.targetCounted.connectionsAccepted, requests);
  assert.equal(cellNumber(row, 'new_connections'), requests);
});

let resetServer: Awaited<ReturnType<typeof startResetServer>>;
before(async () => {
  resetServer = await startResetServer({ resetEvery: 3 });
});
after(async () => {
  await resetServer.close();
});

test('a target that resets sockets is counted in errors.csv and the run completes', async (t) => {
  const dir = testDir(t);
  const file = writeScenario(
    dir,
    'reset.yaml',
    `name: reset-e2e\ntarget: ${resetServer.url}\nprotocol: http\nconnections: 4\n${base}# One request in three is reset on purpose.\nverdict: { maxErrorRate: off }\n`,
  );
  const { code, stderr } = await runCli(['run', file, '--out', join(dir, 'results')], dir);
  assert.equal(code, 0, stderr);
  const runDir = onlyRunDir(join(dir, 'results'));
  const errors = readCsv(join(runDir, 'errors.csv'));
  const resets = errors.find((e) => e.code === 'ECONNRESET');
  assert.ok(resets && cellNumber(resets, 'count') > 0, `errors.csv: ${JSON.stringify(errors)}`);
  const [row] = readCsv(join(runDir, 'summary.csv'));
  assert.ok(cellNumber(row, 'requests') > 0);
  assert.ok(cellNumber(row, 'errors') >= cellNumber(resets, 'count'));
  assert.ok(cellNumber(row, 'error_rate') > 0.1 && cellNumber(row, 'error_rate') < 0.6, `error_rate ${row!.error_rate}`);
});

test('Ctrl-C keeps everything measured so far, says so, and exits 3', async (t) => {
  const dir = testDir(t);
  const file = writeScenario(
    dir,
    'long.yaml',
    `name: sigint-e2e\nprotocol: http\nconnections: 4\nduration: 60s\ninterval: 250ms\nworkers: 2\nsteps:\n  - name: first\n  - name: never-reached\n`,
  );
  const { child, result } = startCli(['run', file, '--out', join(dir, 'results')], dir);
  // Once the step measures (its first timeseries rows): a signal before it began leaves nothing measured to keep.
  const rows = (): number => {
    try {
      return readCsv(join(onlyRunDir(join(dir, 'results')), 'timeseries.csv')).length;
    } catch {
      return 0;
    }
  };
  for (let waited = 0; rows() < 2 && waited < 60_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
  child.kill('SIGINT');
  const { code, stderr } = await result;
  assert.equal(code, 3, stderr);
  assert.match(stderr, /interrupted/);
  assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
  const runDir = onlyRunDir(join(dir, 'results'));
  const summary = readCsv(join(runDir, 'summary.csv'));
  assert.equal(summary.length, 1, stderr);
  assert.ok(cellNumber(summary[0], 'requests') > 0);
  assert.ok(readCsv(join(runDir, 'timeseries.csv')).length >= 2);
  assert.ok(readCsv(join(runDir, 'latency.csv')).length > 0);
  const run = readJson<RunJsonDocument>(join(runDir, 'run.json'));
  assert.equal(run.status, 'interrupted');
});

test('an unreachable target is refused before any load with one line and exit 2', async (t) => {
  const dir = testDir(t);
  const { code, stderr } = await runCli(['run', '--target', 'http://127.0.0.1:9/', '--duration', '1s', '--out', join(dir, 'results')], dir);
  assert.equal(code, 2);
  assert.match(stderr, /^sockcap: target http:\/\/127\.0\.0\.1:9\/ is unreachable \(ECONNREFUSED\)/);
  assert.equal(stderr.trim().split('\n').length, 1, stderr);
  const results = join(dir, 'results');
  assert.ok(!existsSync(results) || readdirSync(results).length === 0, 'no empty results folder left behind');
});

test('HTTP pipelining keeps that many requests in flight on each connection', async (t) => {
  const dir = testDir(t);
  // Each response waits 100 ms, so a connection answers about 10 requests a second one at
  // a time, and about 4 times that with 4 in flight.
  const file = writeScenario(
    dir,
    'pipelining.yaml',
    `name: pipelining
protocol: http
connections: 2
duration: 2s
warmup: 0s
workers: 1
server:
  responseDelay: 100ms
steps:
  - name: one-in-flight
    http: { pipelining: 1 }
  - name: four-in-flight
    http: { pipelining: 4 }
`,
  );
  const { code, stderr } = await runCli(['run', file, '--out', join(dir, 'results')], dir);
  assert.equal(code, 0, stderr);
  const runDir = onlyRunDir(join(dir, 'results'));
  const [one, four] = readCsv(join(runDir, 'summary.csv'));
  const run = readJson<RunJsonDocument>(join(runDir, 'run.json'));
  for (const [index, row] of [one!, four!].entries()) {
    assert.equal(cellNumber(row, 'errors'), 0);
    assert.equal(cellNumber(row, 'requests'), run.steps[index]!.targetCounted.requests);
    assert.equal(run.steps[index]!.targetCounted.connectionsAccepted, 2, 'pipelined on the same two sockets');
  }
  assert.ok(cellNumber(one, 'requests') <= 2 * 2 * 10 + 4, `one in flight: ${one!.requests} requests`);
  assert.ok(cellNumber(four, 'requests') >= 3 * cellNumber(one, 'requests'), `four in flight: ${four!.requests} vs ${one!.requests}`);
});

test('WebSocket messages arrive whole, as text frames or as binary ones when asked', async () => {
  // Every connection of a worker sends the same payload buffer: no send may alter it.
  const received = { text: 0, binary: 0, damaged: 0 };
  const expected = Buffer.alloc(48, 0x61);
  const server = http.createServer();
  const wss = echoWebSockets(server, {
    connected: () => {},
    echoed: (data, isBinary) => {
      if (isBinary) received.binary++;
      else received.text++;
      if (!data.equals(expected)) received.damaged++;
    },
  });
  const close = closerFor(server);
  const port = await listenOnFreePort(server);
  try {
    const dir = tempDir();
    const file = writeScenario(
      dir,
      'frames.yaml',
      `name: frames
target: ws://127.0.0.1:${port}/
protocol: websocket
connections: 6
duration: 1s
warmup: 0s
workers: 2
websocket: { messageSize: 48B }
steps:
  - name: text
  - name: binary
    websocket: { binary: true }
`,
    );
    const { code, stderr } = await runCli(['run', file, '--out', join(dir, 'results')], dir);
    assert.equal(code, 0, stderr);
    const [text, binary] = readCsv(join(onlyRunDir(join(dir, 'results')), 'summary.csv'));
    assert.equal(received.damaged, 0);
    assert.ok(cellNumber(text, 'messages') > 100 && cellNumber(binary, 'messages') > 100);
    assert.ok(received.text >= cellNumber(text, 'messages'), `text frames ${received.text}`);
    assert.ok(received.binary >= cellNumber(binary, 'messages'), `binary frames ${received.binary}`);
  } finally {
    wss.close();
    await close();
  }
});
