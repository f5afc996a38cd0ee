// Polling, long-polling, WebSocket push, Server-Sent Events and Socket.IO (over WebSocket and
// over polling) of one event stream, end to end through the CLI against the built-in target,
// and a flaky purpose-made server.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { cellNumber, onlyRunDir, readCsv, readJson, runCli, tempDir, writeScenario } from './helpers/cli.js';
import { startDroppingLongPollServer } from './servers/dropping-longpoll-server.js';

const pollIntervalMs = 400;
const clients = 8;
const eventRate = 20;
const measuredS = 2;

interface RunJsonDocument {
  status: string;
  steps: { delivery?: { measured: boolean; sharedClock: boolean }; targetCounted: { eventsPublished: number } }[];
}

let compare: Map<string, Record<string, string>>;
let summary: Map<string, Record<string, string>>;
let run: RunJsonDocument;

// One run of the six transports serves the tests below; each step is short.
before(async () => {
  const dir = tempDir();
  const file = writeScenario(
    dir,
    'comet.yaml',
    `name: comet-e2e
connections: ${clients}
duration: ${measuredS}s
warmup: 500ms
interval: 500ms
workers: 2
server:
  eventRate: ${eventRate}/s
poll:
  interval: ${pollIntervalMs}ms
steps:
  - name: poll
    protocol: poll
  - name: long-poll
    protocol: long-poll
  - name: websocket
    protocol: websocket
    websocket:
      mode: subscribe
  - name: sse
    protocol: sse
  # A Socket.IO client takes a few round trips to join (three requests over polling): a
  # longer warm-up, so that every client counts from the start of the measured part.
  - name: socketio-websocket
    protocol: socketio
    warmup: 1500ms
    socketio: { mode: subscribe, transports: [websocket] }
  - name: socketio-polling
    protocol: socketio
    warmup: 1500ms
    socketio: { mode: subscribe, transports: [polling] }
`,
  );
  const { code, stderr } = await runCli(['run', file, '--out', join(dir, 'results')], dir);
  assert.equal(code, 0, stderr);
  const runDir = onlyRunDir(join(dir, 'results'));
  assert.ok(existsSync(join(runDir, 'transports.csv')), 'transports.csv written');
  compare = new Map(readCsv(join(runDir, 'transports.csv')).map((row) => [row.transport!, row]));
  summary = new Map(readCsv(join(runDir, 'summary.csv')).map((row) => [row.step!, row]));
  run = readJson<RunJsonDocument>(join(runDir, 'run.json'));
});

const transports = ['poll', 'long-poll', 'websocket', 'sse', 'socketio-websocket', 'socketio-polling'];

test('each transport delivers every event exactly once at a low rate', () => {
  assert.deepEqual([...compare.keys()], transports);
  const expected = clients * eventRate * measuredS;
  for (const [transport, row] of compare) {
    const delivered = cellNumber(row, 'events_delivered');
    assert.ok(delivered > expected * 0.8 && delivered < expected * 1.2, `${transport}: ${delivered} events, expected about ${expected}`);
    assert.equal(cellNumber(row, 'lost'), 0, `${transport} lost`);
    assert.equal(cellNumber(row, 'duplicated'), 0, `${transport} duplicated`);
    assert.equal(cellNumber(row, 'reordered'), 0, `${transport} reordered`);
    assert.equal(cellNumber(row, 'errors'), 0, `${transport} errors`);
    assert.equal(cellNumber(row, 'clients'), clients);
    assert.equal(cellNumber(row, 'event_rate_per_s'), eventRate);
    assert.ok(cellNumber(row, 'server_cpu_ms_per_1k_events') > 0, `${transport}: server CPU per event measured`);
  }
  for (const step of transports) {
    const row = summary.get(step)!;
    assert.equal(row.latency_metric, 'delivery');
    assert.equal(cellNumber(row, 'events'), cellNumber(compare.get(step), 'events_delivered'));
    assert.equal(cellNumber(row, 'lost'), 0);
  }
  assert.equal(run.status, 'completed');
  assert.equal(run.steps[0]!.delivery?.measured, true);
  assert.equal(run.steps[0]!.delivery?.sharedClock, true);
  assert.ok(run.steps[0]!.targetCounted.eventsPublished >= eventRate * measuredS);
});

test('polling at interval I delivers with a median near I/2', () => {
  const p50 = cellNumber(compare.get('poll'), 'delivery_p50_ms');
  assert.ok(p50 > pollIntervalMs * 0.3 && p50 < pollIntervalMs * 0.7, `poll delivery p50 ${p50} ms at interval ${pollIntervalMs} ms`);
  const max = cellNumber(compare.get('poll'), 'delivery_max_ms');
  assert.ok(max < pollIntervalMs * 1.5, `poll delivery max ${max} ms`);
  const polls = cellNumber(summary.get('poll'), 'requests');
  const planned = (clients * measuredS * 1000) / pollIntervalMs;
  assert.ok(Math.abs(polls - planned) <= planned * 0.15, `${polls} polls, ${planned} planned: one per client per interval`);
  // At 20 events/s and 2.5 polls/s nearly every poll finds something; at 1/s most would not.
  assert.ok(cellNumber(compare.get('poll'), 'empty_response_pct') < 20);
});

test('long-poll, WebSocket, SSE and Socket.IO over WebSocket deliver well under the poll interval', () => {
  for (const transport of ['long-poll', 'websocket', 'sse', 'socketio-websocket']) {
    const p50 = cellNumber(compare.get(transport), 'delivery_p50_ms');
    assert.ok(p50 < pollIntervalMs / 10, `${transport} delivery p50 ${p50} ms`);
  }
});

test('wire bytes per event over HTTP exceed WebSocket by the header bytes', () => {
  const longPoll = compare.get('long-poll')!;
  const ws = compare.get('websocket')!;
  const headers = cellNumber(longPoll, 'header_bytes_per_event');
  const extra = cellNumber(longPoll, 'wire_bytes_per_event') - cellNumber(ws, 'wire_bytes_per_event');
  assert.ok(headers > 100, `an HTTP request and response head is over 100 bytes, got ${headers}`);
  assert.ok(Math.abs(extra - headers) < headers * 0.15, `long-poll costs ${extra} bytes more per event; its headers are ${headers}`);
  assert.ok(cellNumber(ws, 'header_bytes_per_event') < 5, 'the WebSocket upgrade happened in the warm-up');
  assert.ok(cellNumber(longPoll, 'requests_per_event') >= 0.9 && cellNumber(longPoll, 'requests_per_event') <= 1.1);
  assert.equal(cellNumber(ws, 'requests_per_event'), 0);
  // A held event stream and Socket.IO over WebSocket pay no request per event either; Socket.IO over polling does.
  for (const transport of ['sse', 'socketio-websocket']) {
    const row = compare.get(transport)!;
    assert.equal(cellNumber(row, 'requests_per_event'), 0, transport);
    assert.ok(cellNumber(row, 'header_bytes_per_event') < 5, `${transport}: opened in the warm-up`);
    assert.ok(cellNumber(row, 'wire_bytes_per_event') < cellNumber(longPoll, 'wire_bytes_per_event') - headers / 2, transport);
  }
  const overPolling = compare.get('socketio-polling')!;
  assert.ok(cellNumber(overPolling, 'requests_per_event') > 0.5, JSON.stringify(overPolling));
  assert.ok(cellNumber(overPolling, 'header_bytes_per_event') > 100, JSON.stringify(overPolling));
});

test('a long-poll dropped mid-hold is counted and the client carries on; without a timestamp field delivery is left out, and said so', async () => {
  const server = await startDroppingLongPollServer({ eventRate: 2, dropEvery: 3, holdMs: 300 });
  try {
    const dir = tempDir();
    const file = writeScenario(
      dir,
      'drop.yaml',
      `name: drop
target: ${server.url}
protocol: long-poll
connections: 2
duration: 2500ms
warmup: 500ms
interval: 500ms
workers: 1
events:
  timestampField: ""
# Every third hold is dropped on purpose.
verdict: { maxErrorRate: off }
`,
    );
    const { code, stderr } = await runCli(['run', file, '--out', join(dir, 'results')], dir);
    assert.equal(code, 0, stderr);
    const runDir = onlyRunDir(join(dir, 'results'));
    const [row] = readCsv(join(runDir, 'transports.csv'));
    const errors = readCsv(join(runDir, 'errors.csv'));
    assert.ok(server.counts.dropped >= 2, `the server dropped ${server.counts.dropped} long-polls`);
    assert.ok(cellNumber(row, 'errors') >= 1, 'drops are counted');
    assert.ok(
      errors.some((error) => error.code === 'socket_closed' || error.code === 'ECONNRESET'),
      JSON.stringify(errors),
    );
    assert.equal(cellNumber(row, 'lost'), 0);
    assert.equal(cellNumber(row, 'duplicated'), 0);
    assert.equal(row!.event_rate_per_s, '', 'an external target’s rate is not guessed');
    const delivered = cellNumber(row, 'events_delivered');
    assert.ok(delivered >= 2 * 2 * 2, `the clients carried on: ${delivered} events in 2.5 s at 2/s`);

    assert.equal(row!.delivery_p50_ms, '', 'no publish time: no delivery figure');
    assert.equal(row!.delivery_max_ms, '');
    const document = readJson<RunJsonDocument>(join(runDir, 'run.json'));
    assert.equal(document.steps[0]!.delivery?.measured, false);
    assert.match(stderr, /note: events\.timestampField is empty: .* delivery latency is not measured/);
  } finally {
    await server.close();
  }
});
