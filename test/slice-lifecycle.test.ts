// What a worker starts at the end of the warm-up (newcomers) counts in the measured part only:
// runIntervals calls onMeasure right after posting the warm-up's last snapshot, once, and at
// once when there is no warm-up.
import assert from 'node:assert/strict';
import { MessageChannel } from 'node:worker_threads';
import { test } from 'node:test';
import { loadScenario } from '../src/api.js';
import { now } from '../src/metrics/clock.js';
import { Recorder } from '../src/metrics/recorder.js';
import type { Slice, Snapshot } from '../src/worker/messages.js';
import { sliceLifecycle } from '../src/worker/slice-lifecycle.js';

async function sliceOf(warmupMs: number): Promise<Slice> {
  const { steps } = await loadScenario(undefined, { commandLine: true, set: ['target=http://127.0.0.1:9/', 'interval=100ms'] });
  const startAt = now() + 20;
  return {
    scenario: steps[0]!,
    targets: ['http://127.0.0.1:9/'],
    sources: [],
    trustedCa: undefined,
    workerIndex: 0,
    workerCount: 1,
    connections: 1,
    firstConnection: 0,
    totalConnections: 1,
    startAt,
    measureFrom: startAt + warmupMs,
    endAt: startAt + warmupMs + 250,
  };
}

/** Runs the intervals; onMeasure counts one arrival, as a newcomer does. Returns every snapshot and how many were posted before onMeasure. */
async function run(warmupMs: number): Promise<{ snapshots: Snapshot[]; postedBefore: number[] }> {
  const slice = await sliceOf(warmupMs);
  const { port1, port2 } = new MessageChannel();
  const snapshots: Snapshot[] = [];
  const post = port1.postMessage.bind(port1);
  port1.postMessage = (message: Snapshot) => {
    snapshots.push(message);
    post(message);
  };
  const recorder = new Recorder();
  const lifecycle = sliceLifecycle(slice, port1, recorder);
  const postedBefore: number[] = [];
  const reachedEnd = await lifecycle.runIntervals(() => {
    postedBefore.push(snapshots.length);
    recorder.count('newcomers');
  });
  lifecycle.finish();
  port2.close();
  assert.equal(reachedEnd, true);
  return { snapshots, postedBefore };
}

test('onMeasure runs once, right after the warm-up is posted: an arrival then counts in the measured part', async () => {
  const { snapshots, postedBefore } = await run(150);
  const warmup = snapshots.filter((snapshot) => snapshot.warmup);
  assert.equal(warmup.length, 2);
  assert.deepEqual(postedBefore, [warmup.length]);
  assert.equal(
    warmup.reduce((sum, snapshot) => sum + snapshot.counters.newcomers, 0),
    0,
  );
  assert.equal(snapshots[warmup.length]!.counters.newcomers, 1);
});

test('without a warm-up, onMeasure runs before the first snapshot', async () => {
  const { snapshots, postedBefore } = await run(0);
  assert.deepEqual(postedBefore, [0]);
  assert.equal(snapshots[0]!.warmup, false);
  assert.equal(snapshots[0]!.counters.newcomers, 1);
});
