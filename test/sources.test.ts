// `sources` applies to every client connection of every protocol: the built-in target behind
// a proxy that records the address each connection came from. With sources 127.0.0.2 and
// 127.0.0.3 (loopback aliases, no setup on Linux) the proxy sees both and no other, the
// check before the load included; receive-driven clients (poll, long-poll, SSE, Socket.IO,
// WebSocket subscribe) used to ignore them and came from 127.0.0.1.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { defaults } from '../src/scenario/defaults.js';
import { startTarget, type RunningTarget } from '../src/target/server.js';
import { cellNumber, onlyRunDir, readCsv, runCli, tempDir, writeScenario } from './helpers/cli.js';
import { echoSessionLines } from './helpers/echo-session.js';
import { startFlappingProxy } from './servers/flapping-proxy.js';

let target: RunningTarget;
before(async () => (target = await startTarget({ settings: { ...defaults.server, eventRate: 20 } })));
after(() => target.close());

const cases: { name: string; scheme: 'ws' | 'http'; scenario: string; counted: string }[] = [
  { name: 'http', scheme: 'http', scenario: 'protocol: http\nnewcomers: { rate: 20/s }', counted: 'requests' },
  { name: 'websocket echo', scheme: 'ws', scenario: 'protocol: websocket', counted: 'messages' },
  { name: 'websocket subscribe', scheme: 'ws', scenario: 'protocol: websocket\nwebsocket: { mode: subscribe }', counted: 'events' },
  { name: 'websocket session', scheme: 'ws', scenario: `protocol: websocket\n${echoSessionLines}`, counted: 'sessions_opened' },
  { name: 'poll', scheme: 'http', scenario: 'protocol: poll\npoll: { interval: 100ms }', counted: 'events' },
  { name: 'long-poll', scheme: 'http', scenario: 'protocol: long-poll', counted: 'events' },
  { name: 'sse', scheme: 'http', scenario: 'protocol: sse', counted: 'events' },
  { name: 'socketio subscribe', scheme: 'http', scenario: 'protocol: socketio\nsocketio: { mode: subscribe }', counted: 'events' },
  { name: 'socketio ack', scheme: 'http', scenario: 'protocol: socketio', counted: 'messages' },
  { name: 'websocket hold', scheme: 'ws', scenario: 'protocol: websocket\nworkload: hold', counted: 'connections_peak' },
];

for (const { name, scheme, scenario, counted } of cases) {
  test(`${name}: every connection comes from the source addresses, each of them used`, async () => {
    const proxy = await startFlappingProxy(target.port);
    try {
      const dir = tempDir();
      const file = writeScenario(
        dir,
        'sources.yaml',
        [
          'name: sources',
          `target: ${scheme}://127.0.0.1:${proxy.port}/`,
          scenario,
          'connections: 4',
          'workers: 1',
          'duration: 1s',
          'warmup: 0s',
          'sources: [127.0.0.2, 127.0.0.3]',
          '',
        ].join('\n'),
      );
      const { code, stderr } = await runCli(['run', file, '--out', join(dir, 'results')], dir);
      assert.equal(code, 0, stderr);
      const row = readCsv(join(onlyRunDir(join(dir, 'results')), 'summary.csv'))[0];
      assert.ok(cellNumber(row, counted) > 0, `${counted} ${row![counted]}`);
      assert.deepEqual([...proxy.remoteAddresses].sort(), ['127.0.0.2', '127.0.0.3'], `${proxy.counts.accepted} connections`);
    } finally {
      await proxy.close();
    }
  });
}
