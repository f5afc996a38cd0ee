// Every retry of a refused or failed connection follows the `reconnect` backoff with jitter,
// in every protocol and workload: against a service that resets every connection, one
// client's attempts come at growing, jittered gaps, never in a hot loop (the closed workload
// used to retry every 10 ms, long-poll every 100 ms, SSE at its fixed reconnection time, and
// Socket.IO's ack mode not at all). A held HTTP/2 connection is also retried at the backoff
// when the target stops listening altogether (ECONNREFUSED).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { defaults } from '../src/scenario/defaults.js';
import { startTarget } from '../src/target/server.js';
import { cellNumber, onlyRunDir, readCsv, runCli, startCli, tempDir, writeScenario } from './helpers/cli.js';
import { echoSessionLines } from './helpers/echo-session.js';
import { startRefusingServer, type RefusingServer } from './servers/refusing-server.js';

let server: RefusingServer;
before(async () => (server = await startRefusingServer()));
after(() => server.close());

// A small first wait leaves room for several doublings before the cap within the run, so the
// growth shows whatever full jitter draws: at 50 ms about 1 run in 50 drew later gaps too
// short to tell (simulated), at 10 ms about 1 in 1,000.
const backoffMs = 10;
const maxBackoffMs = 1000;

const cases: { name: string; protocol: string; lines: string[] }[] = [
  ...['http', 'websocket', 'poll', 'long-poll', 'sse'].map((protocol) => ({ name: protocol, protocol, lines: [] })),
  // Socket.IO's ack mode used not to connect again at all once its connection failed.
  { name: 'socketio ack', protocol: 'socketio', lines: [] },
  { name: 'socketio subscribe', protocol: 'socketio', lines: ['socketio: { mode: subscribe }'] },
  // A held HTTP connection is opened by the hold workload, which retries it.
  { name: 'http hold', protocol: 'http', lines: ['workload: hold'] },
  // So is a held HTTP/2 (h2c) connection, whose reset session was also taken for a lost one.
  { name: 'http2 hold', protocol: 'http', lines: ['workload: hold', 'http: { version: 2 }'] },
  { name: 'websocket session', protocol: 'websocket', lines: [echoSessionLines] },
];

for (const { name, protocol, lines } of cases) {
  test(`${name}: a client's retries against a refusing service wait a growing, jittered backoff`, async () => {
    const dir = tempDir();
    const target = protocol === 'websocket' ? server.url.replace(/^http/, 'ws') : server.url;
    const file = writeScenario(
      dir,
      'refused.yaml',
      [
        'name: refused',
        `target: ${target}`,
        `protocol: ${protocol}`,
        ...lines,
        'connections: 1',
        'workers: 1',
        'duration: 2s',
        'warmup: 0s',
        'interval: 500ms',
        // Polls are due every 50 ms: only the backoff can space them further.
        'poll: { interval: 50ms, jitter: false }',
        // The SSE reconnection time alone would be a fixed gap.
        'sse: { retry: 10ms }',
        `reconnect: { backoff: ${backoffMs}ms, maxBackoff: ${maxBackoffMs}ms, jitter: true }`,
        'verdict: { requireSuccess: false, maxErrorRate: off }',
        '',
      ].join('\n'),
    );
    const from = server.attempts.length;
    server.passNext = 1;
    const { code, stderr } = await runCli(['run', file, '--out', join(dir, 'results')], dir);
    assert.equal(code, 0, stderr);
    const attempts = server.attempts.slice(from);
    const gaps = attempts.slice(1).map((at, i) => at - attempts[i]!);
    // Without a backoff: 200 attempts at 10 ms, 40 at 50 ms, 20 at 100 ms. With it, about 10.
    assert.ok(attempts.length >= 3 && attempts.length <= 18, `${attempts.length} attempts, gaps ${gaps.map(Math.round).join(', ')} ms`);
    const third = Math.max(1, Math.floor(gaps.length / 3));
    const mean = (values: number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length;
    assert.ok(mean(gaps.slice(-third)) > 2 * mean(gaps.slice(0, third)), `gaps grow: ${gaps.map(Math.round).join(', ')} ms`);
    // Jittered: not the bare doubling (50, 100, 200, … ms) a crowd of clients would share.
    const bare = gaps.map((_, i) => Math.min(maxBackoffMs, backoffMs * 2 ** i));
    assert.ok(
      gaps.some((gap, i) => Math.abs(gap - bare[i]!) > 0.1 * bare[i]!),
      `jittered: ${gaps.map(Math.round).join(', ')} ms`,
    );
  });
}

test('http2 hold: a target that stops listening mid-run is retried at the backoff, not in a storm', async () => {
  // The built-in target's h2c face holds both clients, then goes away: every try meets ECONNREFUSED.
  const target = await startTarget({ settings: { ...defaults.server, http2: true } });
  const clients = 2;
  const dir = tempDir();
  const file = writeScenario(
    dir,
    'gone.yaml',
    `name: gone\ntarget: ${target.url}/\nprotocol: http\nhttp: { version: 2 }\nworkload: hold\nconnections: ${clients}\nworkers: 1\n` +
      'duration: 3s\nwarmup: 0s\ninterval: 500ms\nreconnect: { backoff: 50ms, maxBackoff: 200ms, jitter: true }\n' +
      'verdict: { requireSuccess: false, maxErrorRate: off }\n',
  );
  const { result } = startCli(['run', file, '--out', join(dir, 'results')], dir);
  const deadline = performance.now() + 10_000;
  while (target.stats().requests < clients && performance.now() < deadline) await sleep(20);
  await sleep(300);
  await target.close();
  const { code, stderr } = await result;
  assert.equal(code, 0, stderr);
  const runDir = onlyRunDir(join(dir, 'results'));
  const row = readCsv(join(runDir, 'summary.csv'))[0];
  const attempts = cellNumber(row, 'reconnect_attempts');
  // The backoff (at most 200 ms, full jitter) allows about 15 tries a client in the 1.5 s or so
  // left; a refused connect taken for a lost connection too set off thousands.
  assert.ok(attempts > 0 && attempts < clients * 40, `${attempts} reconnect attempts`);
  const errors = readCsv(join(runDir, 'errors.csv')).map((error) => `${error.code} ${error.count}`);
  // A connection caught opening as the target went may end otherwise (reset); the rest are refused.
  const refused = Number(/^ECONNREFUSED (\d+)$/m.exec(errors.join('\n'))?.[1] ?? 0);
  assert.ok(refused > 0 && refused <= attempts, `refused connects are reconnect attempts: ${attempts} attempts, errors ${errors.join(', ')}`);
});
