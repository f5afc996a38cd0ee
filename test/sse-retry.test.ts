// The server's `retry:` sets the reconnection time, over the scenario's sse.retry: a
// purpose-made server sends `retry: N` and ends the stream, and the gaps between the
// client's requests follow N whether it is longer or shorter than sse.retry.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { cellNumber, readCsv, runScenario } from './helpers/cli.js';
import { startSseRetryServer } from './servers/sse-retry-server.js';

const gaps = (times: readonly number[]): number[] => times.slice(1).map((time, i) => time - times[i]!);

test("a server's retry: overrides sse.retry, both when it is longer and when it is shorter", async () => {
  const server = await startSseRetryServer();
  try {
    const { runDir } = await runScenario(`name: sse-retry
target: ${server.url}
protocol: sse
connections: 1
workers: 1
duration: 2500ms
interval: 500ms
steps:
  - name: server-longer
    sse: { path: /retry/800, retry: 50ms }
  - name: server-shorter
    sse: { path: /retry/100, retry: 2000ms }
`);
    const summary = new Map(readCsv(join(runDir, 'summary.csv')).map((row) => [row.step!, row]));

    // The server asks for 800 ms where the scenario says 50 ms: every reconnect waits at least 800 ms.
    const longer = gaps(server.arrivals.get('/retry/800') ?? []);
    assert.ok(longer.length >= 1, 'the client reconnected');
    assert.ok(
      longer.every((gap) => gap >= 800),
      `gaps ${longer.map((gap) => gap.toFixed(0)).join(', ')} ms`,
    );
    // With sse.retry's 50 ms the 2.5 s would have held dozens of streams.
    assert.ok(longer.length <= 3, `${longer.length + 1} streams`);

    // The server asks for 100 ms where the scenario says 2 s: the client does not wait the 2 s.
    const shorter = gaps(server.arrivals.get('/retry/100') ?? []);
    assert.ok(shorter.length >= 3, `${shorter.length + 1} streams in 2.5 s`);
    assert.ok(
      shorter.every((gap) => gap >= 100 && gap < 2000),
      `gaps ${shorter.map((gap) => gap.toFixed(0)).join(', ')} ms`,
    );

    // Each stream delivered its one event and ended on purpose: reconnects, not errors.
    for (const [step, streams] of [
      ['server-longer', longer.length + 1],
      ['server-shorter', shorter.length + 1],
    ] as const) {
      const row = summary.get(step)!;
      assert.equal(cellNumber(row, 'errors'), 0, JSON.stringify(row));
      // The step may end after the last stream's request reached the server and before its
      // answer came back: that one is an attempt, not yet a connection brought back.
      const reconnects = cellNumber(row, 'reconnects');
      assert.ok(reconnects === streams - 1 || reconnects === streams - 2, `${reconnects} reconnects for ${streams} streams: ${JSON.stringify(row)}`);
    }
  } finally {
    await server.close();
  }
});
