// protocol: socketio end to end through the CLI: the built-in target's Socket.IO server over
// each transport, a purpose-made server with a namespace and auth, and python-socketio.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { cellNumber, onlyRunDir, readCsv, runCli, tempDir, writeScenario } from './helpers/cli.js';
import { startPythonPushServer } from './servers/python-push-server.js';
import { startSocketIoServer } from './servers/socketio-server.js';
import { startSilentSocketIoServer } from './servers/silent-socketio-server.js';

interface Run {
  code: number | null;
  stderr: string;
  summary: Map<string, Record<string, string>>;
  compare: Map<string, Record<string, string>>;
  errors: Record<string, string>[];
}

async function run(scenario: string): Promise<Run> {
  const dir = tempDir();
  const file = writeScenario(dir, 'socketio.yaml', scenario);
  const { code, stderr } = await runCli(['run', file, '--out', join(dir, 'results')], dir);
  assert.equal(code, 0, stderr);
  const runDir = onlyRunDir(join(dir, 'results'));
  const rows = (name: string): Record<string, string>[] => {
    try {
      return readCsv(join(runDir, name));
    } catch {
      return [];
    }
  };
  return {
    code,
    stderr,
    summary: new Map(rows('summary.csv').map((row) => [row.step!, row])),
    compare: new Map(rows('transports.csv').map((row) => [row.step!, row])),
    errors: rows('errors.csv'),
  };
}

/** Two clients for 1.5 s against someone else's server. */
const external = (url: string): string =>
  `target: ${url}\nprotocol: socketio\nconnections: 2\nworkers: 1\nduration: 1500ms\ninterval: 500ms\n` +
  // Some steps are refused on purpose: the default verdict would fail them.
  'verdict:\n  maxErrorRate: off\n  requireSuccess: false';

/** The test server's /chat namespace, with the auth and query it wants. */
const chatSettings = 'socketio:\n  namespace: /chat\n  auth: { token: letmein }\n  query: { room: lobby }';

const errorCount = (result: Run, step: string, code: string): number =>
  result.errors.filter((row) => row.step === step && row.code === code).reduce((sum, row) => sum + cellNumber(row, 'count'), 0);

test('the built-in target: acks timed over polling and after an upgrade, events delivered over each transport, polls counted as requests', async () => {
  const result = await run(`protocol: socketio
connections: 4
workers: 1
duration: 1500ms
interval: 500ms
server:
  eventRate: 20/s
steps:
  - name: ack-upgrade
  - name: ack-polling
    socketio: { transports: [polling] }
  - name: sub-websocket
    socketio: { mode: subscribe, transports: [websocket] }
  - name: sub-polling
    socketio: { mode: subscribe, transports: [polling] }
`);
  const upgrade = result.summary.get('ack-upgrade')!;
  assert.equal(upgrade.latency_metric, 'ack');
  assert.ok(cellNumber(upgrade, 'messages') > 0 && cellNumber(upgrade, 'errors') === 0, JSON.stringify(upgrade));
  // No warm-up: the upgrade comes within the first few hundred ms.
  assert.ok(cellNumber(upgrade, 'upgrade_p50_ms') > 0, 'polling → websocket upgrade timed');
  const polling = result.summary.get('ack-polling')!;
  assert.ok(cellNumber(polling, 'messages') > 0 && cellNumber(polling, 'errors') === 0, JSON.stringify(polling));
  assert.equal(polling.upgrade_p50_ms, '', 'no upgrade over polling alone');
  assert.ok(cellNumber(polling, 'requests') >= cellNumber(polling, 'messages'), 'each acked emit costs at least a poll');
  for (const step of ['sub-websocket', 'sub-polling']) {
    const row = result.summary.get(step)!;
    assert.equal(row.latency_metric, 'delivery');
    // 20 events a second for 1.5 s to each of 4 clients.
    assert.ok(cellNumber(row, 'events') >= 4 * 20, JSON.stringify(row));
    assert.equal(cellNumber(row, 'lost'), 0);
    assert.equal(cellNumber(row, 'duplicated'), 0);
  }
  const overWebSocket = result.compare.get('sub-websocket')!;
  const overPolling = result.compare.get('sub-polling')!;
  assert.equal(overWebSocket.transport, 'socketio-websocket');
  assert.equal(overPolling.transport, 'socketio-polling');
  assert.ok(cellNumber(overPolling, 'requests_per_event') > 0.5, JSON.stringify(overPolling));
  assert.ok(cellNumber(overPolling, 'header_bytes_per_event') > cellNumber(overWebSocket, 'header_bytes_per_event'), 'polling pays headers per event');
});

test('a namespace with auth, query and http.headers; a refused namespace and a refused auth are errors by code', async () => {
  const server = await startSocketIoServer();
  try {
    const result = await run(`${external(server.url)}
${chatSettings}
http:
  headers: { x-team: blue }
steps:
  - name: ack
  - name: news
    socketio: { mode: subscribe, event: news, transports: [websocket] }
  - name: wrong-token
    socketio: { auth: { token: guess } }
  - name: no-namespace
    socketio: { namespace: /missing }
  - name: closed-default
    socketio: { namespace: / , mode: subscribe }
`);
    assert.ok(cellNumber(result.summary.get('ack'), 'messages') > 0);
    assert.equal(cellNumber(result.summary.get('ack'), 'errors'), 0);
    // Over polling (ack) and on the WebSocket upgrade (news) alike.
    assert.ok(server.teams.length >= 4 && server.teams.every((team) => team === 'blue'), `http.headers on every handshake: ${server.teams.join(',')}`);
    const news = result.summary.get('news')!;
    assert.ok(cellNumber(news, 'events') >= 2 * 20, JSON.stringify(news));
    assert.equal(cellNumber(news, 'lost'), 0);
    assert.ok(errorCount(result, 'wrong-token', 'socketio_refused') >= 2, JSON.stringify(result.errors));
    assert.ok(errorCount(result, 'no-namespace', 'socketio_namespace_refused') >= 2, JSON.stringify(result.errors));
    assert.ok(errorCount(result, 'closed-default', 'socketio_refused') >= 1, JSON.stringify(result.errors));
    assert.match(result.stderr, /warning: no event delivered in step closed-default:/);
  } finally {
    await server.close();
  }
});

test('interop: a socket.io 3 server, over polling, the upgrade and WebSocket', async () => {
  const server = await startSocketIoServer(3);
  try {
    const result = await run(`${external(server.url)}
${chatSettings}
steps:
  - name: ack-upgrade
  - name: news-websocket
    socketio: { mode: subscribe, event: news, transports: [websocket] }
  - name: news-polling
    socketio: { mode: subscribe, event: news, transports: [polling] }
`);
    const acks = result.summary.get('ack-upgrade')!;
    assert.ok(cellNumber(acks, 'messages') > 0 && cellNumber(acks, 'errors') === 0, JSON.stringify(acks));
    assert.ok(cellNumber(result.summary.get('ack-upgrade'), 'upgrade_p50_ms') > 0, 'the upgrade to WebSocket timed');
    for (const step of ['news-websocket', 'news-polling']) {
      const row = result.summary.get(step)!;
      assert.ok(cellNumber(row, 'events') >= 2 * 20, `${step}: ${JSON.stringify(row)}`);
      assert.equal(cellNumber(row, 'lost'), 0);
    }
  } finally {
    await server.close();
  }
});

test('interop: python-socketio (aiohttp) with a namespace and an auth payload', async () => {
  const python = await startPythonPushServer();
  try {
    const result = await run(`${external(python.url)}
socketio:
  namespace: /feed
  auth: { token: letmein }
steps:
  - name: ack
  - name: ticks
    socketio: { mode: subscribe }
  - name: refused
    socketio: { auth: { token: nope }, mode: subscribe }
`);
    const ack = result.summary.get('ack')!;
    assert.ok(cellNumber(ack, 'messages') > 0 && cellNumber(ack, 'errors') === 0, JSON.stringify(ack));
    const ticks = result.summary.get('ticks')!;
    assert.ok(cellNumber(ticks, 'events') >= 2 * 20, JSON.stringify(ticks));
    assert.equal(cellNumber(ticks, 'lost'), 0);
    assert.ok(errorCount(result, 'refused', 'socketio_refused') >= 1, JSON.stringify(result.errors));
  } finally {
    await python.close();
  }
});

test('a held client whose server stops its heartbeat counts socketio_ping_timeout and is brought back', async () => {
  const server = await startSilentSocketIoServer();
  try {
    const result = await run(`${external(server.url)}
workload: hold
reconnect: { backoff: 100ms, jitter: false }
socketio: { transports: [websocket] }
`);
    // The server promises a ping every 300 ms and a 200 ms grace: each client gives up after about 500 ms, in 1.5 s at least twice.
    const timeouts = errorCount(result, 'main', 'socketio_ping_timeout');
    assert.ok(timeouts >= 2, JSON.stringify(result.errors));
    const row = result.summary.get('main')!;
    assert.ok(cellNumber(row, 'reconnects') >= 2, JSON.stringify(row));
    assert.ok(server.counts.connected >= 4, `${server.counts.connected} namespace connections`);
  } finally {
    await server.close();
  }
});
