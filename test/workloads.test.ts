import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitEvenly } from '../src/coordinator/split.js';
import { ArrivalSchedule } from '../src/workloads/arrival-schedule.js';
import { snapshotTimes } from '../src/worker/snapshot-times.js';

test('connections split into whole shares that add up exactly', () => {
  assert.deepEqual(splitEvenly(10, 3), [4, 3, 3]);
  assert.deepEqual(splitEvenly(2, 4), [1, 1, 0, 0]);
  for (const [total, parts] of [
    [1, 1],
    [7, 2],
    [100_000, 7],
    [19_999, 3],
  ] as const) {
    assert.equal(
      splitEvenly(total, parts).reduce((a, b) => a + b, 0),
      total,
    );
  }
});

test('a constant rate schedules arrival k at k/rate, whatever happened before', () => {
  const schedule = new ArrivalSchedule(200, []);
  assert.equal(schedule.offsetOf(0), 0);
  assert.equal(schedule.offsetOf(1), 5);
  assert.equal(schedule.offsetOf(1000), 5000);
  assert.equal(new ArrivalSchedule(0, []).offsetOf(0), undefined);
});

test('a ramp stage spreads arrivals along the linear rate and holds the last rate after', () => {
  // 0 → 100/s over 10 s: 500 arrivals, the 125th at 5 s (half the time, a quarter of them)
  const schedule = new ArrivalSchedule(0, [{ duration: 10_000, target: 100 }]);
  assert.ok(Math.abs(schedule.offsetOf(125)! - 5000) < 1);
  assert.ok(Math.abs(schedule.offsetOf(500)! - 10_000) < 1);
  assert.ok(Math.abs(schedule.offsetOf(600)! - 11_000) < 1);
  assert.equal(schedule.valueAt(2500), 25);
  // ramp down 100 → 0 over 2 s: 100 arrivals then nothing
  const down = new ArrivalSchedule(100, [{ duration: 2000, target: 0 }]);
  assert.ok(Math.abs(down.offsetOf(50)! - 585.8) < 1);
  assert.equal(down.offsetOf(100), undefined);
});

test('snapshot times close the warm-up exactly and end at the step end', () => {
  assert.deepEqual(snapshotTimes(0, 1500, 3500, 1000), [1000, 1500, 2500, 3500]);
  assert.deepEqual(snapshotTimes(0, 0, 2000, 1000), [1000, 2000]);
  assert.deepEqual(snapshotTimes(0, 0, 2500, 1000), [1000, 2000, 2500]);
});
