// Several hosts on one machine: a target and two generators in network namespaces of their
// own, each with its own address, run one scenario as two shards that `sockcap merge` adds
// up exactly, and the target's own counts agree.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { cellNumber, readCsv, readJson, runCli, tempDir, writeScenario } from './helpers/cli.js';
import { createNetwork, sentBytes, startOn, type HostProcess } from './helpers/netns.js';

const port = 8080;
const rate = 100;
const rateSeconds = 2;
const holdConnections = 40;

const scenario = `name: netns
target: http://10.77.0.1:${port}/
interval: 500ms
workers: 1
steps:
  - name: rate
    protocol: http
    workload: arrival-rate
    rate: ${rate}/s
    # Slots enough that no arrival waits in the queue even on a busy machine: arrivals still
    # queued when a step ends are not sent.
    connections: 40
    duration: ${rateSeconds}s
  - name: hold
    protocol: websocket
    workload: hold
    connections: ${holdConnections}
    duration: 1s
`;

interface ShardRun {
  manifest: { runGroup: string; shard: { index: number; count: number }; plannedStartAt: number };
}

test('two generator hosts and a target host in network namespaces: merged shards match the target', { timeout: 90_000 }, async () => {
  const network = createNetwork(`sockcap-${process.pid}`, { target: '10.77.0.1', gen1: '10.77.0.2', gen2: '10.77.0.3' });
  const started: HostProcess[] = [];
  try {
    const { target, gen1, gen2 } = network.hosts;
    const dir = tempDir();
    const file = writeScenario(dir, 'netns.yaml', scenario);

    const server = startOn(target, ['serve', '--host', target.address, '--port', String(port)], dir, 25_000);
    started.push(server);
    await server.waitFor(/^sockcap target listening on /, 8_000);

    const sentBefore = [gen1, gen2].map(sentBytes);
    const startAt = new Date(Date.now() + 6_000).toISOString();
    const shards = [gen1, gen2].map((host, i) => {
      const shard = startOn(
        host,
        ['run', file, '--shard', `${i + 1}/2`, '--run-id', 'netns', '--start-at', startAt, '--out', join(dir, `shard-${i + 1}`), '--quiet'],
        dir,
        22_000,
      );
      started.push(shard);
      return shard;
    });
    const results = await Promise.all(shards.map((shard) => shard.result));
    for (const result of results) assert.equal(result.code, 0, result.stderr);

    server.stop('SIGTERM');
    const served = await server.result;
    assert.equal(served.code, 0, served.stderr);
    const finalLine = served.stdout.split('\n').find((line) => line.startsWith('sockcap target stopped: '));
    assert.ok(finalLine, `no final counts line in: ${served.stdout}`);
    const targetRequests = Number(/requests (\d+)/.exec(finalLine)?.[1]);
    const targetWebSockets = Number(/websockets (\d+)/.exec(finalLine)?.[1]);

    const shardDirs = [1, 2].map((i) => join(dir, `shard-${i}`, 'netns'));
    const merged = await runCli(['merge', ...shardDirs, '--out', join(dir, 'merged'), '--quiet'], dir);
    assert.equal(merged.code, 0, merged.stderr);
    const rows = readCsv(join(dir, 'merged', 'summary.csv'));
    assert.deepEqual(
      rows.map((row) => row.step),
      ['rate', 'hold'],
    );
    assert.equal(cellNumber(rows[0], 'requests'), rate * rateSeconds, 'merged requests: the open model sends every arrival');
    assert.equal(targetRequests, cellNumber(rows[0], 'requests'), 'the target counted what the generators sent');
    assert.equal(cellNumber(rows[1], 'connections_peak'), holdConnections);
    assert.equal(targetWebSockets, holdConnections, 'the target accepted every held WebSocket');

    // Both hosts did their own half, from their own addresses, of one run lined up in time.
    for (const [i, shardDir] of shardDirs.entries()) {
      const shardRows = readCsv(join(shardDir, 'summary.csv'));
      assert.equal(cellNumber(shardRows[0], 'requests'), (rate * rateSeconds) / 2, `shard ${i + 1} requests`);
      assert.equal(cellNumber(shardRows[1], 'connections_peak'), holdConnections / 2, `shard ${i + 1} connections`);
      const { manifest } = readJson<ShardRun>(join(shardDir, 'run.json'));
      assert.deepEqual([manifest.runGroup, manifest.shard, manifest.plannedStartAt], ['netns', { index: i, count: 2 }, Date.parse(startAt)]);
    }
    const sent = [gen1, gen2].map((host, i) => sentBytes(host) - sentBefore[i]!);
    for (const [i, bytes] of sent.entries()) assert.ok(bytes > 10_000, `generator ${i + 1} sent ${bytes} bytes from its own address`);
  } finally {
    for (const running of started) running.stop('SIGKILL');
    await Promise.all(started.map((running) => running.result));
    network.remove();
  }
});
