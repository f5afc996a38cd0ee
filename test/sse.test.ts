// protocol: sse end to end through the CLI: a purpose-made server that plays the corners of
// the format and misbehaves on purpose, and the built-in target's /sse with its resume.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startTarget, type RunningTarget } from '../src/target/server.js';
import { defaults } from '../src/scenario/defaults.js';
import { cellNumber, onlyRunDir, readCsv, runCli, tempDir, writeScenario } from './helpers/cli.js';
import { startSseServer, type SseTestServer } from './servers/sse-server.js';
import { startPythonPushServer } from './servers/python-push-server.js';

let server: SseTestServer;
let summary: Map<string, Record<string, string>>;
let errors: Record<string, string>[];
let stderr: string;

const errorCount = (step: string, code: string): number =>
  errors.filter((row) => row.step === step && row.code === code).reduce((sum, row) => sum + cellNumber(row, 'count'), 0);

before(async () => {
  server = await startSseServer();
  const dir = tempDir();
  const file = writeScenario(
    dir,
    'sse.yaml',
    `name: sse-corners
target: ${server.url}
protocol: sse
connections: 1
workers: 1
duration: 1500ms
interval: 500ms
# These steps misbehave on purpose: the default verdict would fail them.
verdict:
  maxErrorRate: off
  requireSuccess: false
sse:
  retry: 300ms
  readTimeout: 400ms
http:
  headers: { x-team: blue }
steps:
  - name: script
    sse: { path: /script, event: tick }
  - name: ids
    sse: { path: /ids, sequenceFrom: id }
  - name: plain
    sse: { path: /plain }
  - name: error
    sse: { path: /error }
  - name: stall
    sse: { path: /stall }
  - name: big
    sse: { path: /big, maxEventSize: 1KiB }
  - name: malformed
    sse: { path: /malformed }
`,
  );
  const result = await runCli(['run', file, '--out', join(dir, 'results')], dir);
  stderr = result.stderr;
  assert.equal(result.code, 0, stderr);
  const runDir = onlyRunDir(join(dir, 'results'));
  summary = new Map(readCsv(join(runDir, 'summary.csv')).map((row) => [row.step!, row]));
  errors = readCsv(join(runDir, 'errors.csv'));
});

after(() => server.close());

test('multi-line data, comments, a BOM and every line end; a resume with Last-Event-ID counts the lost, late and repeated events', () => {
  const row = summary.get('script')!;
  // 1 2 3 | 5 4 5 (noise) | 6 7: seven events once each, 4 late, 5 twice, nothing lost in the end.
  assert.equal(cellNumber(row, 'events'), 7, JSON.stringify(row));
  assert.equal(cellNumber(row, 'reordered'), 1, JSON.stringify(row));
  assert.equal(cellNumber(row, 'duplicated'), 1, JSON.stringify(row));
  assert.equal(cellNumber(row, 'lost'), 0);
  assert.equal(cellNumber(row, 'requests'), 3, 'the first stream and two resumes');
  assert.equal(cellNumber(row, 'reconnects'), 2);
  assert.deepEqual(server.lastEventIds.slice(0, 2), ['3', '5'], 'each resume names the last event id seen');
  assert.ok(server.teams.length >= 7 && server.teams.every((team) => team === 'blue'), `http.headers on every request: ${server.teams.join(',')}`);
  assert.ok(row.delivery_p50_ms !== '', 'delivery measured from the publishedAt in the data');
  assert.ok(cellNumber(row, 'first_event_p50_ms') > 0, 'time to first event');
  assert.equal(row.latency_metric, 'delivery');
  // The socket dropped mid-event: one error, and the client carried on.
  assert.ok(errorCount('script', 'socket_closed') + errorCount('script', 'ECONNRESET') >= 1, JSON.stringify(errors));
});

test('the sequence number can come from the event id, with data that is not JSON', () => {
  const row = summary.get('ids')!;
  assert.equal(cellNumber(row, 'events'), 3);
  assert.equal(cellNumber(row, 'lost'), 1);
  assert.equal(row.delivery_p50_ms, '', 'no publish time, no delivery figure');
});

test('bad answers are errors by code and the client keeps trying; a step with no event says so', () => {
  assert.ok(errorCount('plain', 'sse_not_event_stream') >= 2, 'refused, and retried');
  assert.ok(errorCount('error', 'http_503') >= 2);
  assert.ok(errorCount('stall', 'sse_stalled') >= 1);
  for (const step of ['plain', 'error', 'stall']) {
    assert.equal(cellNumber(summary.get(step), 'events'), 0);
    assert.match(stderr, new RegExp(`warning: no event delivered in step ${step}:`));
  }
  assert.doesNotMatch(stderr, /warning: no event delivered in step script/);
});

test('an event over sse.maxEventSize and malformed lines are counted, and the events around them still count', () => {
  assert.equal(errorCount('big', 'sse_event_too_large'), 1);
  assert.equal(cellNumber(summary.get('big'), 'events'), 2);
  assert.equal(errorCount('malformed', 'sse_malformed_line'), 2);
  assert.equal(cellNumber(summary.get('malformed'), 'events'), 2);
});

test('the built-in /sse sends a retry hint, ids and JSON data, and resumes after Last-Event-ID', async () => {
  const target: RunningTarget = await startTarget({ settings: { ...defaults.server, eventRate: 50 } });
  try {
    const read = async (headers: Record<string, string>): Promise<string> => {
      const controller = new AbortController();
      const response = await fetch(new URL('/sse', target.url), { headers, signal: controller.signal });
      assert.equal(response.headers.get('content-type'), 'text/event-stream');
      const reader = response.body!.getReader();
      let text = '';
      while ((text.match(/^id: /gm) ?? []).length < 3) text += Buffer.from((await reader.read()).value ?? []).toString();
      controller.abort();
      return text;
    };
    const first = await read({});
    assert.match(first, /^retry: 1000\n\n/);
    const ids = [...first.matchAll(/^id: (\d+)\ndata: (\{.*\})$/gm)].map((match) => {
      assert.equal((JSON.parse(match[2]!) as { seq: number }).seq, Number(match[1]));
      return Number(match[1]);
    });
    assert.deepEqual(ids.slice(0, 3), [ids[0]!, ids[0]! + 1, ids[0]! + 2]);
    // Resuming after the first id replays the events published since, at once.
    const resumed = await read({ 'last-event-id': String(ids[0]) });
    assert.equal(Number(/^id: (\d+)/m.exec(resumed)![1]), ids[0]! + 1);
  } finally {
    await target.close();
  }
});

test('interop: an aiohttp server (Python) that splits its JSON over two data lines', async () => {
  const python = await startPythonPushServer();
  try {
    const dir = tempDir();
    const file = writeScenario(
      dir,
      'python.yaml',
      `target: ${python.url}\nprotocol: sse\nconnections: 4\nworkers: 1\nwarmup: 500ms\nduration: 2s\ninterval: 500ms\n`,
    );
    const { code, stderr } = await runCli(['run', file, '--out', join(dir, 'results')], dir);
    assert.equal(code, 0, stderr);
    const [row] = readCsv(join(onlyRunDir(join(dir, 'results')), 'summary.csv'));
    // 20 events a second to each of 4 clients for 2 s; a loaded machine may deliver some late, never lose them.
    assert.ok(cellNumber(row, 'events') >= 4 * 20, JSON.stringify(row));
    assert.equal(cellNumber(row, 'lost'), 0);
    assert.equal(cellNumber(row, 'duplicated'), 0);
    assert.equal(cellNumber(row, 'errors'), 0);
    assert.ok(cellNumber(row, 'delivery_p50_ms') > 0);
  } finally {
    await python.close();
  }
});

test('a long-poll step pointed at an event stream fails and says no event came, where it reported zeros and exit 0', async () => {
  const dir = tempDir();
  const file = writeScenario(
    dir,
    'long-poll-at-sse.yaml',
    `name: long-poll-at-sse\nprotocol: long-poll\nconnections: 2\nworkers: 1\nduration: 1500ms\ninterval: 500ms\nserver:\n  eventRate: 5/s\nlongPoll:\n  path: /sse\n`,
  );
  const { code, stderr } = await runCli(['run', file, '--out', join(dir, 'results')], dir);
  assert.equal(code, 1, stderr);
  assert.match(stderr, /warning: no event delivered in step main:/);
  assert.match(stderr, /FAILED step main: nothing succeeded:/);
});
