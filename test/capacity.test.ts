// Holding, dropping and pricing connections, across processes and source addresses.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { cellNumber, onlyRunDir, readCsv, readJson, runCli, tempDir, writeScenario } from './helpers/cli.js';
import { startSilentWsServer } from './servers/silent-ws-server.js';
import { startWsEchoServer } from './servers/ws-echo-server.js';

async function run(scenario: string, extra: string[] = []): Promise<{ dir: string; code: number | null; stderr: string }> {
  const dir = tempDir();
  const file = writeScenario(dir, 'scenario.yaml', scenario);
  const { code, stderr } = await runCli(['run', file, '--out', join(dir, 'results'), ...extra], dir);
  return { dir: code === 2 ? dir : onlyRunDir(join(dir, 'results')), code, stderr };
}

interface RunJsonDocument {
  steps: { targetCounted: Record<string, number> }[];
}

test('a hold across two generator processes, two source addresses and two target processes reaches the count the target sees', async () => {
  const { dir, code, stderr } = await run(
    `name: hold\nprotocol: websocket\nworkload: hold\nconnections: 3000\nprocesses: 2\nworkers: 1\nsources: 127.0.0.1-127.0.0.2\nconnectRate: 3000/s\nwarmup: 4s\nduration: 2s\ninterval: 500ms\nserver:\n  processes: 2\n`,
  );
  assert.equal(code, 0, stderr);
  assert.match(stderr, /3000 connections, 2 processes × 1 worker thread \(2 slices\), 2 source addresses, 2 target processes/);
  const [row] = readCsv(join(dir, 'summary.csv'));
  const runJson = readJson<RunJsonDocument>(join(dir, 'run.json'));
  assert.equal(cellNumber(row, 'connections_peak'), 3000);
  assert.equal(cellNumber(row, 'connections_failed'), 0);
  assert.equal(runJson.steps[0]!.targetCounted.webSocketsAccepted, 3000);
  assert.equal(cellNumber(row, 'generator_processes'), 2);
  assert.equal(cellNumber(row, 'target_processes'), 2);
  for (const column of ['client_kib_per_conn', 'server_kib_per_conn']) {
    const kib = cellNumber(row, column);
    assert.ok(kib > 0 && kib < 100, `${column} ${row![column]} should be positive and below 100 KiB`);
  }
  const [capacity] = readCsv(join(dir, 'capacity.csv'));
  assert.equal(cellNumber(capacity, 'connections_held'), 3000);
});

test('source addresses are really bound: the target sees both', async () => {
  const server = await startSilentWsServer();
  try {
    const { code, stderr } = await run(
      `name: sources\ntarget: ${server.url}\nprotocol: websocket\nworkload: hold\nconnections: 20\nworkers: 1\nsources: [127.0.0.1, 127.0.0.2]\nduration: 500ms\n`,
    );
    assert.equal(code, 0, stderr);
    assert.deepEqual([...server.remoteAddresses].sort(), ['127.0.0.1', '127.0.0.2']);
  } finally {
    await server.close();
  }
});

test('a reconnect storm with jitter brings every client back', async () => {
  const { dir, code, stderr } = await run(
    `name: storm\nprotocol: websocket\nworkload: reconnect-storm\nconnections: 400\nworkers: 2\nduration: 5s\ninterval: 500ms\nreconnect:\n  dropAt: 1s\n  backoff: 500ms\n  jitter: true\nverdict: { maxErrorRate: off }\n`,
  );
  assert.equal(code, 0, stderr);
  const [row] = readCsv(join(dir, 'summary.csv'));
  assert.equal(cellNumber(row, 'reconnects'), 400, `reconnects ${row!.reconnects}`);
  assert.ok(cellNumber(row, 'reconnect_max_ms') < 3000, `everyone back within ${row!.reconnect_max_ms} ms`);
  assert.ok(cellNumber(row, 'reconnect_p50_ms') < cellNumber(row, 'reconnect_max_ms'));
  const rows = readCsv(join(dir, 'timeseries.csv'));
  assert.equal(cellNumber(rows.at(-2), 'connections_open'), 400);
  assert.ok(
    rows.some((r) => cellNumber(r, 'connections_open') < 400),
    'the drop shows in connections_open',
  );
});

test('a silent target is detected by ping timeout within interval + timeout', async () => {
  const server = await startSilentWsServer();
  try {
    const { dir, code, stderr } = await run(
      `name: silent\ntarget: ${server.url}\nprotocol: websocket\nworkload: hold\nconnections: 5\nworkers: 1\nduration: 1500ms\ninterval: 250ms\nwebsocket:\n  pingInterval: 300ms\n  pingTimeout: 500ms\nreconnect:\n  backoff: 5s\n  jitter: false\nverdict: { maxErrorRate: off, requireSuccess: false }\n`,
    );
    assert.equal(code, 0, stderr);
    const errors = readCsv(join(dir, 'errors.csv'));
    assert.equal(
      cellNumber(
        errors.find((e) => e.code === 'ping_timeout'),
        'count',
      ),
      5,
      JSON.stringify(errors),
    );
    const detected = readCsv(join(dir, 'timeseries.csv')).find((r) => cellNumber(r, 'errors') > 0);
    assert.ok(detected && cellNumber(detected, 'elapsed_s') <= 1.0 + 0.25, `first detection at ${detected?.elapsed_s} s`);
  } finally {
    await server.close();
  }
});

test('a hold that loses a few connections near its end, the rest still held, is no target that stopped answering', async () => {
  // Two of ten connections are dropped and the server stops accepting: their reconnects meet
  // ECONNREFUSED to the end while eight stay held. An idle hold completes nothing while
  // measured, so the held ones are what shows the target still answering.
  const http = await import('node:http');
  const { WebSocketServer } = await import('ws');
  const server = http.createServer();
  const sockets = new WebSocketServer({ server });
  const held: import('ws').WebSocket[] = [];
  sockets.on('connection', (socket) => held.push(socket));
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
  const drop = setTimeout(() => {
    server.close();
    for (const socket of held.slice(0, 2)) socket.terminate();
  }, 1200);
  try {
    const { dir, code, stderr } = await run(
      `name: few-lost\ntarget: ws://127.0.0.1:${port}/\nprotocol: websocket\nworkload: hold\nconnections: 10\nworkers: 1\nwarmup: 500ms\nduration: 2s\ninterval: 250ms\nwebsocket:\n  pingInterval: 0s\nreconnect:\n  backoff: 100ms\n  maxBackoff: 200ms\nverdict: { maxErrorRate: off }\n`,
    );
    const errors = readCsv(join(dir, 'errors.csv'));
    assert.ok(
      errors.some((e) => e.code === 'ECONNREFUSED'),
      `the lost connections met a refusing target: ${JSON.stringify(errors)}`,
    );
    assert.doesNotMatch(stderr, /stopped answering/);
    assert.equal(code, 0, stderr);
  } finally {
    clearTimeout(drop);
    for (const socket of held) socket.terminate();
    server.close();
  }
});

test('an impossible plan is refused up front with the number of processes it needs', async () => {
  const { code, stderr } = await run(`name: too-big\nprotocol: websocket\nworkload: hold\nconnections: 50000\nprocesses: 1\nduration: 1s\n`);
  assert.equal(code, 2);
  assert.match(stderr, /50000 connections over processes: 1 .* set processes: 3 or more \(or auto\)/);
  assert.equal(stderr.trim().split('\n').length, 1, stderr);
});

test('a plain ws server counts every held connection (a non-sockcap peer)', async () => {
  const server = await startWsEchoServer();
  try {
    const { dir, code, stderr } = await run(
      `name: ws-hold\ntarget: ${server.url.replace('http', 'ws')}/\nprotocol: websocket\nworkload: hold\nconnections: 300\nworkers: 2\nduration: 1s\n`,
    );
    assert.equal(code, 0, stderr);
    const [row] = readCsv(join(dir, 'summary.csv'));
    assert.equal(cellNumber(row, 'connections_peak'), 300);
    assert.equal(server.counts.connections, 300);
  } finally {
    await server.close();
  }
});
