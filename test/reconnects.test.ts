// `reconnects` are connections brought back, `reconnect_attempts` the tries it took: the
// built-in target behind a proxy that drops every connection once and then resets new ones
// for 1.5 s (a service restarting). Each client is brought back once, after several refused
// tries; the old count (every try) read as many reconnects as attempts.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { defaults } from '../src/scenario/defaults.js';
import { startTarget, type RunningTarget } from '../src/target/server.js';
import { cellNumber, onlyRunDir, readCsv, readJson, startCli, tempDir, writeScenario } from './helpers/cli.js';
import { echoSessionLines } from './helpers/echo-session.js';
import { startFlappingProxy } from './servers/flapping-proxy.js';

let target: RunningTarget;
let http2Target: RunningTarget;
before(async () => {
  target = await startTarget({ settings: { ...defaults.server, eventRate: 20 } });
  // h2c by prior knowledge: the built-in target's HTTP/2 face speaks nothing else.
  http2Target = await startTarget({ settings: { ...defaults.server, http2: true } });
});
after(() => http2Target.close());
after(() => target.close());

const clients = 2;
const refuseMs = 1500;

const cases: { name: string; scheme: 'ws' | 'http'; scenario: string; h2c?: true }[] = [
  { name: 'websocket echo', scheme: 'ws', scenario: 'protocol: websocket' },
  { name: 'websocket subscribe', scheme: 'ws', scenario: 'protocol: websocket\nwebsocket: { mode: subscribe }' },
  { name: 'websocket session', scheme: 'ws', scenario: `protocol: websocket\n${echoSessionLines}` },
  { name: 'sse', scheme: 'http', scenario: 'protocol: sse' },
  { name: 'socketio subscribe', scheme: 'http', scenario: 'protocol: socketio\nsocketio: { mode: subscribe, transports: [websocket] }' },
  { name: 'websocket hold', scheme: 'ws', scenario: 'protocol: websocket\nworkload: hold' },
  { name: 'socketio ack', scheme: 'http', scenario: 'protocol: socketio\nsocketio: { transports: [websocket] }' },
  { name: 'http hold', scheme: 'http', scenario: 'protocol: http\nworkload: hold' },
  { name: 'http2 hold', scheme: 'http', scenario: 'protocol: http\nhttp: { version: 2 }\nworkload: hold', h2c: true },
  // `auto` on http:// is HTTP/1.1 (no ALPN without TLS), held through the HTTP/2 driver's fallback.
  { name: 'http auto hold', scheme: 'http', scenario: 'protocol: http\nhttp: { version: auto }\nworkload: hold' },
];

for (const { name, scheme, scenario, h2c } of cases) {
  test(`${name}: a dropped client is one reconnect however many refused tries it took`, async () => {
    const proxy = await startFlappingProxy((h2c ? http2Target : target).port);
    try {
      const dir = tempDir();
      const file = writeScenario(
        dir,
        'flap.yaml',
        [
          `name: flap`,
          `target: ${scheme}://127.0.0.1:${proxy.port}/`,
          scenario,
          `connections: ${clients}`,
          'workers: 1',
          'duration: 4s',
          'warmup: 0s',
          'interval: 500ms',
          'reconnect: { backoff: 50ms, maxBackoff: 200ms, jitter: true }',
          // The drop and the refused tries are the point of the test.
          'verdict: { maxErrorRate: off }',
          '',
        ].join('\n'),
      );
      const { result } = startCli(['run', file, '--out', join(dir, 'results')], dir);
      // Once every client is connected (and has been for a moment), the service restarts.
      const deadline = performance.now() + 10_000;
      while (proxy.open() < clients && performance.now() < deadline) await sleep(20);
      assert.ok(proxy.open() >= clients, `${proxy.open()} clients connected`);
      await sleep(700);
      const refusedBefore = proxy.counts.refused;
      proxy.flap(refuseMs);
      const { code, stdout, stderr } = await result;
      assert.equal(code, 0, stderr);
      const runDir = onlyRunDir(join(dir, 'results'));
      const row = readCsv(join(runDir, 'summary.csv'))[0];
      const reconnects = cellNumber(row, 'reconnects');
      const attempts = cellNumber(row, 'reconnect_attempts');
      const refused = proxy.counts.refused - refusedBefore;
      assert.equal(reconnects, clients, `every client brought back once: ${reconnects} reconnects in ${attempts} attempts, ${refused} refused`);
      assert.ok(attempts > reconnects, `refused tries are attempts: ${attempts} attempts, ${reconnects} reconnects`);
      // The backoff (at most 200 ms, full jitter) allows about 15 tries a client in 1.5 s; a
      // failed handshake taken for a lost connection once set off hundreds (a retry storm).
      assert.ok(attempts < clients * 40, `no retry storm: ${attempts} attempts`);
      assert.equal(attempts, reconnects + refused, `each try is one connection the proxy saw: ${refused} refused`);
      assert.ok(cellNumber(row, 'reconnect_p50_ms') >= 0.5 * refuseMs, `back after the refusal: reconnect p50 ${row!.reconnect_p50_ms} ms`);
      const document = readJson<{ steps: { counters: { reconnects: number; reconnectAttempts: number } }[] }>(join(runDir, 'run.json'));
      assert.deepEqual(document.steps[0]!.counters.reconnectAttempts, attempts);
      assert.match(`${stdout}${stderr}`, new RegExp(`  ${reconnects} lost connections brought back in ${attempts} reconnect attempts`));
    } finally {
      await proxy.close();
    }
  });
}
