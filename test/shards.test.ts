// Shards of one run add up to the run itself, and merge refuses what does not belong together.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createHistogram, decodeHistogram } from '../src/metrics/histogram.js';
import { cellNumber, onlyRunDir, readCsv, readJson, runCli, testDir, writeScenario } from './helpers/cli.js';

const scenario = `name: sharded
interval: 500ms
workers: 1
steps:
  - name: hold
    protocol: websocket
    workload: hold
    connections: 60
    duration: 1s
  - name: rate
    protocol: http
    workload: arrival-rate
    rate: 200/s
    connections: 10
    duration: 2s
`;

async function runShards(dir: string, file: string, count: number, extra: string[] = []): Promise<string[]> {
  const startAt = new Date(Date.now() + 3000).toISOString();
  const results = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      runCli(['run', file, '--shard', `${i + 1}/${count}`, '--start-at', startAt, '--run-id', 'sharded', '--out', join(dir, `shard-${i + 1}`), ...extra], dir),
    ),
  );
  for (const result of results) assert.equal(result.code, 0, result.stderr);
  return Array.from({ length: count }, (_, i) => join(dir, `shard-${i + 1}`, 'sharded'));
}

test('three shards add up exactly to one process, and merged histograms equal one fed every value', async (t) => {
  const dir = testDir(t);
  const file = writeScenario(dir, 'sharded.yaml', scenario);
  const single = await runCli(['run', file, '--out', join(dir, 'single')], dir);
  assert.equal(single.code, 0, single.stderr);
  const singleRows = readCsv(join(onlyRunDir(join(dir, 'single')), 'summary.csv'));

  const shardDirs = await runShards(dir, file, 3);
  const merged = await runCli(['merge', ...shardDirs, '--out', join(dir, 'merged')], dir);
  assert.equal(merged.code, 0, merged.stderr);
  const mergedRows = readCsv(join(dir, 'merged', 'summary.csv'));
  assert.equal(mergedRows.length, 2);
  assert.equal(cellNumber(mergedRows[0], 'connections_peak'), 60);
  assert.equal(cellNumber(mergedRows[0], 'connections_peak'), cellNumber(singleRows[0], 'connections_peak'));
  assert.equal(cellNumber(mergedRows[0], 'new_connections'), cellNumber(singleRows[0], 'new_connections'));
  assert.equal(cellNumber(mergedRows[1], 'requests'), 400);
  assert.equal(cellNumber(mergedRows[1], 'requests'), cellNumber(singleRows[1], 'requests'));

  // Each shard ran its part: the shares add up to the whole, not three wholes.
  const shardRequests = shardDirs.map((shard) => cellNumber(readCsv(join(shard, 'summary.csv'))[1], 'requests'));
  assert.ok(
    shardRequests.every((n) => n > 100 && n < 200),
    `shard requests ${shardRequests.join(', ')}`,
  );

  const added = createHistogram();
  for (const shard of shardDirs) added.add(decodeHistogram(readFileSync(join(shard, 'histograms', 'step-1-latency.hdr'), 'utf8').trim()));
  const fromMerge = decodeHistogram(readFileSync(join(dir, 'merged', 'histograms', 'step-1-latency.hdr'), 'utf8').trim());
  assert.equal(fromMerge.totalCount, 400);
  for (const percentile of [50, 90, 99, 99.9, 100]) {
    assert.equal(fromMerge.getValueAtPercentile(percentile), added.getValueAtPercentile(percentile), `p${percentile}`);
  }
  const timeseries = readCsv(join(dir, 'merged', 'timeseries.csv'));
  assert.equal(
    timeseries.filter((row) => row.step === 'rate').reduce((sum, row) => sum + cellNumber(row, 'requests'), 0),
    400,
    'merged timeseries adds up to the summary',
  );
  for (const name of ['latency.csv', 'errors.csv', 'run.json', 'report.html', 'intervals.jsonl']) {
    assert.ok(readdirSync(join(dir, 'merged')).includes(name), name);
  }
  const run = readJson<{ merged: { shards: number; partial: boolean } }>(join(dir, 'merged', 'run.json'));
  assert.deepEqual([run.merged.shards, run.merged.partial], [3, false]);
});

test('merge refuses shards of different scenarios, and missing shards unless --allow-partial', async (t) => {
  const dir = testDir(t);
  const fileA = writeScenario(dir, 'a.yaml', 'name: a\nconnections: 2\nduration: 500ms\nworkers: 1\n');
  const fileB = writeScenario(dir, 'b.yaml', 'name: b\nconnections: 3\nduration: 500ms\nworkers: 1\n');
  const [a1, a2] = await runShards(dir, fileA, 2);
  const b = await runCli(['run', fileB, '--shard', '2/2', '--run-id', 'b2', '--out', join(dir, 'b')], dir);
  assert.equal(b.code, 0, b.stderr);

  const mismatched = await runCli(['merge', a1!, join(dir, 'b', 'b2'), '--out', join(dir, 'm1')], dir);
  assert.equal(mismatched.code, 2);
  assert.match(mismatched.stderr, /^sockcap: merge: .* is not a shard of the same run as .*: (run groups|scenarios \(hash\)) differ/);

  const missing = await runCli(['merge', a1!, '--out', join(dir, 'm2')], dir);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /missing shard 2\/2 \(add --allow-partial/);

  const partial = await runCli(['merge', a1!, '--allow-partial', '--out', join(dir, 'm3')], dir);
  assert.equal(partial.code, 0, partial.stderr);
  const run = readJson<{ merged: { partial: boolean; missing: number[] } }>(join(dir, 'm3', 'run.json'));
  assert.deepEqual([run.merged.partial, run.merged.missing], [true, [2]]);
  assert.ok(a2);
});
