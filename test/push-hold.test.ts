// workload: hold for the push transports: idle SSE streams and idle Socket.IO clients (over
// polling and over WebSocket) held against the built-in target and priced in capacity.csv,
// held SSE streams resumed with Last-Event-ID when a server ends them, and a third-party
// server (Python aiohttp) holding streams too.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cellNumber, readCsv, readJson, runScenario } from './helpers/cli.js';
import { startPythonPushServer } from './servers/python-push-server.js';
import { startSseServer } from './servers/sse-server.js';

interface RunJsonDocument {
  steps: {
    label: string;
    costsPerClient: boolean;
    clientsPeak: number;
    targetCounted: { connectionsOpen: number; connectionsPeak: number; requests: number };
  }[];
}

async function run(scenario: string): Promise<string> {
  return (await runScenario(scenario)).runDir;
}

test('idle SSE streams and idle Socket.IO clients (polling, WebSocket) held against the built-in target, each priced per client held', async () => {
  const { runDir: dir, stderr: progress } = await runScenario(`name: push-hold
workload: hold
connections: 200
workers: 1
connectRate: 1000/s
warmup: 1500ms
duration: 1s
interval: 500ms
sse:
  readTimeout: 0s
steps:
  - name: sse
    protocol: sse
  # A Socket.IO client over polling takes two round trips and three requests to connect: on a
  # loaded machine 200 of them at once took 3 s, so these steps hold 100 and warm up for 4 s.
  - name: socketio-polling
    protocol: socketio
    connections: 100
    warmup: 4s
    socketio: { transports: [polling] }
  - name: socketio-websocket
    protocol: socketio
    connections: 100
    warmup: 4s
    socketio: { transports: [websocket] }
`);
  const summary = new Map(readCsv(join(dir, 'summary.csv')).map((row) => [row.step!, row]));
  const capacity = new Map(readCsv(join(dir, 'capacity.csv')).map((row) => [row.step!, row]));
  const runJson = readJson<RunJsonDocument>(join(dir, 'run.json'));
  for (const step of ['sse', 'socketio-polling', 'socketio-websocket']) {
    const row = summary.get(step)!;
    assert.equal(cellNumber(row, 'connections_failed'), 0, `${step}: ${JSON.stringify(row)}`);
    assert.equal(cellNumber(row, 'errors'), 0, `${step}: ${JSON.stringify(row)}`);
    const held = capacity.get(step)!;
    const clients = step === 'sse' ? 200 : 100;
    // Over polling a client holds its pending GET and, after each POST, a second socket for a while.
    const sockets = step === 'socketio-polling' ? [clients, 2 * clients] : [clients, clients];
    const count = cellNumber(held, 'connections_held');
    assert.ok(count >= sockets[0]! && count <= sockets[1]!, `${step}: ${count} held`);
    // The workers count the clients connected at the protocol level: every one of them, whatever its sockets.
    assert.equal(cellNumber(held, 'clients_held'), clients, `${step}: ${JSON.stringify(held)}`);
    // Costs are per socket where a client is one socket, and per client held over polling.
    const stepJson = runJson.steps.find((entry) => entry.label === step)!;
    assert.equal(stepJson.clientsPeak, clients);
    assert.equal(stepJson.costsPerClient, step === 'socketio-polling', step);
    // Memory is priced (RSS deltas: at 200 connections, garbage collection moves them by more
    // than the connections cost, so only that they were measured is asserted), and CPU is spent.
    for (const column of ['client_kib_per_conn', 'server_kib_per_conn']) assert.ok(Number.isFinite(cellNumber(held, column)), `${step}: ${column}`);
    assert.ok(cellNumber(held, 'server_cpu_ms_per_conn') > 0, `${step}: ${held.server_cpu_ms_per_conn}`);
    // The target holds them too.
    const counted = runJson.steps.find((entry) => entry.label === step)!.targetCounted;
    assert.ok(counted.connectionsPeak >= sockets[0]!, `${step}: the target saw ${counted.connectionsPeak}`);
  }
  // timeseries.csv follows the clients interval by interval: all of them by the step's end.
  const polling = readCsv(join(dir, 'timeseries.csv')).filter((row) => row.step === 'socketio-polling');
  assert.equal(cellNumber(polling.at(-1), 'clients_held'), 100, JSON.stringify(polling.at(-1)));
  // The report's capacity table counts the same: the clients, where the costs are per client.
  assert.match(readFileSync(join(dir, 'report.html'), 'utf8'), /<tr[^>]*><td>socketio-polling<\/td><td>100<\/td>/);
  assert.match(progress, /100 clients held \([\d,]+ sockets\), 0 failed; per client:/);
  // One request per held stream (in the warm-up or the measured second), none afterwards: idle means idle.
  const sse = summary.get('sse')!;
  assert.ok(cellNumber(sse, 'requests') <= 200, JSON.stringify(sse));
  assert.equal(cellNumber(sse, 'reconnects'), 0);
});

test('a held SSE stream the server ends comes back with Last-Event-ID, and a stall or a refusal is an error by code', async () => {
  const server = await startSseServer();
  try {
    const dir = await run(`name: sse-hold-resume
target: ${server.url}
protocol: sse
workload: hold
connections: 2
workers: 1
duration: 1500ms
interval: 500ms
reconnect: { backoff: 100ms, jitter: false }
verdict: { maxErrorRate: off, requireSuccess: false }
sse: { readTimeout: 400ms }
steps:
  - name: script
    sse: { path: /script }
  - name: stall
    sse: { path: /stall }
  - name: plain
    sse: { path: /plain }
`);
    const summary = new Map(readCsv(join(dir, 'summary.csv')).map((row) => [row.step!, row]));
    const errors = readCsv(join(dir, 'errors.csv'));
    const errorCount = (step: string, code: string): number =>
      errors.filter((row) => row.step === step && row.code === code).reduce((sum, row) => sum + cellNumber(row, 'count'), 0);
    // Each client: the first stream ends after event 3, the resume after 3 is cut after 5, the resume after 5 stays.
    assert.deepEqual([...server.lastEventIds].sort(), ['3', '3', '5', '5'], JSON.stringify(server.lastEventIds));
    assert.equal(cellNumber(summary.get('script'), 'reconnects'), 4);
    assert.equal(cellNumber(summary.get('script'), 'connections_peak'), 2);
    assert.ok(errorCount('stall', 'sse_stalled') >= 2, JSON.stringify(errors));
    assert.ok(errorCount('plain', 'sse_not_event_stream') >= 2, JSON.stringify(errors));
  } finally {
    await server.close();
  }
});

test('interop: a Python aiohttp server holds sockcap SSE streams', async () => {
  const python = await startPythonPushServer();
  try {
    const dir = await run(`target: ${python.url}\nprotocol: sse\nworkload: hold\nconnections: 50\nworkers: 1\nwarmup: 500ms\nduration: 1s\ninterval: 500ms\n`);
    const [row] = readCsv(join(dir, 'summary.csv'));
    assert.equal(cellNumber(row, 'connections_peak'), 50, JSON.stringify(row));
    assert.equal(cellNumber(row, 'connections_failed'), 0);
    assert.equal(cellNumber(row, 'errors'), 0);
  } finally {
    await python.close();
  }
});
