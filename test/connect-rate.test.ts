// connectRate paces the opening of every workload's connections, not only hold and connect:
// a server records when each connection arrives, and no 100 ms holds more than a share of
// them. Opened all at once, as arrival-rate and closed used to, every connection arrives
// within a few milliseconds.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli, testDir, writeScenario } from './helpers/cli.js';
import { startAcceptTimesServer } from './servers/accept-times-server.js';

const connections = 120;
const connectRate = 150;

/** The most connections that arrived within any 100 ms. */
function busiest100ms(times: number[]): number {
  let most = 0;
  for (let first = 0, last = 0; last < times.length; last++) {
    while (times[last]! - times[first]! >= 100) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

for (const [name, section] of [
  ['arrival-rate WebSocket echo', 'protocol: websocket\nworkload: arrival-rate\nrate: 50/s\n'],
  ['closed HTTP keep-alive', 'protocol: http\nworkload: closed\nthinkTime: 100ms\n'],
  ['SSE clients waiting for events', 'protocol: sse\n'],
] as const) {
  test(`${name}: connections open at connectRate`, async (t) => {
    const server = await startAcceptTimesServer();
    try {
      const dir = testDir(t);
      const file = writeScenario(
        dir,
        'scenario.yaml',
        `name: paced\ntarget: ${server.url}\n${section}connections: ${connections}\nconnectRate: ${connectRate}/s\nwarmup: 1s\nduration: 1s\ninterval: 500ms\nworkers: 2\nverdict: { maxErrorRate: off, requireSuccess: false }\n`,
      );
      const { code, stderr } = await runCli(['run', file, '--out', join(dir, 'results'), '--quiet'], dir);
      assert.equal(code, 0, stderr);
      // The first connection is the check that the target is reachable, before any load.
      assert.equal(server.acceptedAt.length, connections + 1, `accepted ${server.acceptedAt.length}`);
      const times = server.acceptedAt.slice(1);
      // 120 at 150/s take 0.8 s, 15 in any 100 ms; a worker whose timer fires late on a loaded
      // machine opens the ones it owes at once, so the bound leaves room for a stall.
      const span = times.at(-1)! - times[0]!;
      assert.ok(span >= 0.7 * ((connections - 1) / connectRate) * 1000, `opened over ${span.toFixed(0)} ms`);
      const busiest = busiest100ms(times);
      assert.ok(busiest <= 60, `${busiest} connections arrived within 100 ms`);
    } finally {
      await server.close();
    }
  });
}
