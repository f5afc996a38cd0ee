// The programmatic API, as a program would use it: import { run, merge } from 'sockcap'.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { merge, run } from '../src/index.js';
import { testDir, writeScenario } from './helpers/cli.js';

test('run() writes a results folder and returns what was measured; merge() combines shards', async (t) => {
  const dir = testDir(t);
  const file = writeScenario(dir, 'api.yaml', 'name: api\nworkload: arrival-rate\nrate: 100/s\nconnections: 4\nduration: 1s\nworkers: 1\n');
  const whole = await run(file, { resultsDir: join(dir, 'results'), set: ['rate=200/s'] });
  assert.equal(whole.status, 'completed');
  assert.equal(whole.steps[0]!.totals.requests, 200);
  assert.match(readFileSync(join(whole.dir, 'summary.csv'), 'utf8'), /^run_id,/);

  const startAt = new Date(Date.now() + 1500);
  const shards = await Promise.all(
    [1, 2].map((index) => run(file, { resultsDir: join(dir, `shard-${index}`), runId: 'api', shard: { index, count: 2 }, startAt })),
  );
  assert.deepEqual(
    shards.map((shard) => shard.steps[0]!.totals.requests),
    [50, 50],
  );
  const merged = merge(
    shards.map((shard) => shard.dir),
    { out: join(dir, 'merged') },
  );
  assert.equal(merged.steps[0]!.totals.requests, 100);
});
