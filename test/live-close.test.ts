// The live outputs leave nothing behind: after a run with all three and close(), the process
// holds no server, socket or timer it did not hold before (the CLI exits through process.exit,
// which would hide a lingering handle; an API user's program would not exit).
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import { run } from '../src/api.js';
import { startLiveOutputs } from '../src/outputs/live-outputs.js';
import { parseListenAddress } from '../src/outputs/live/listen.js';
import { testDir, writeScenario } from './helpers/cli.js';

/** Servers, sockets and timers by kind. */
const count = (): Map<string, number> => {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
};

test('after a run, closing /metrics, OTLP and the dashboard leaves no server, socket or timer of theirs', async (t) => {
  const dir = testDir(t);
  let pushes = 0;
  const receiver = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      pushes++;
      response.end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const file = writeScenario(dir, 'close.yaml', 'name: live-close\nprotocol: http\nconnections: 2\nduration: 1s\nwarmup: 0s\ninterval: 250ms\nworkers: 1\n');
  const lines: string[] = [];
  const before = count();
  const live = await startLiveOutputs(
    {
      metricsListen: parseListenAddress('--metrics-listen', '127.0.0.1:0'),
      otlp: `http://127.0.0.1:${(receiver.address() as { port: number }).port}/v1/metrics`,
      dashboard: parseListenAddress('--dashboard', '127.0.0.1', true),
    },
    (line) => lines.push(line),
  );
  const metricsUrl = /live metrics at (\S+)/.exec(lines.join('\n'))![1]!;
  const dashboardUrl = /dashboard at (\S+)/.exec(lines.join('\n'))![1]!;
  // A page listening to the dashboard's events, and a scrape, while the run goes.
  const events = await fetch(`${dashboardUrl}events`);
  const result = await run(file, { resultsDir: join(dir, 'results'), outputs: live.outputs });
  assert.equal(result.status, 'completed');
  assert.equal((await fetch(metricsUrl)).status, 200);
  await live.close();
  await events.text();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
  assert.ok(pushes >= 2, `${pushes} OTLP pushes`);
  await new Promise((resolve) => setTimeout(resolve, 200));
  const after = count();
  const grown = [...after].filter(([kind, n]) => n > (before.get(kind) ?? 0));
  assert.deepEqual(grown, [], `before: ${JSON.stringify([...before])}`);
  await assert.rejects(fetch(metricsUrl));
  await assert.rejects(fetch(dashboardUrl));
});
