// Clients waiting for their moment (a poll's next tick, a paced first connection, a
// reconnect, a closed loop's think time) share one timer per thread rather than holding a
// Timeout each.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { now } from '../src/metrics/clock.js';
import { Recorder } from '../src/metrics/recorder.js';
import { wakeAt } from '../src/metrics/alarms.js';
import { createHttpDriver } from '../src/protocols/http.js';
import { createPollReceiver } from '../src/protocols/poll.js';
import { defaults } from '../src/scenario/defaults.js';
import type { StepScenario } from '../src/scenario/types.js';
import { startTarget } from '../src/target/server.js';
import { eventSink } from '../src/worker/event-sink.js';
import { closedWorkload } from '../src/workloads/closed.js';
import { pollTiming } from '../src/workloads/receive-timing.js';

const timeouts = (): number => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

test('wakeAt calls each wake once, never before its time, in the order of their times', async () => {
  const start = now();
  const wakes: { at: number; calledAt: number }[] = [];
  // Shuffled times over 150 ms, many sharing a millisecond.
  const times = Array.from({ length: 500 }, (_, i) => start + ((i * 37) % 150) + (i % 3) / 3);
  for (const at of times) wakeAt(at, () => wakes.push({ at, calledAt: now() }));
  await sleep(300);
  assert.equal(wakes.length, times.length);
  for (const wake of wakes) assert.ok(wake.calledAt >= wake.at, `called at ${wake.calledAt - wake.at} ms from its time`);
  for (let i = 1; i < wakes.length; i++) assert.ok(Math.ceil(wakes[i]!.at) >= Math.ceil(wakes[i - 1]!.at), 'in the order of their times');
});

test('200 polling clients between their polls hold no timer of their own', async () => {
  const target = await startTarget({ settings: { ...defaults.server, eventRate: 20 } });
  const scenario: StepScenario = { ...structuredClone(defaults), protocol: 'poll', stepIndex: 0, stepLabel: 'main' };
  const recorder = new Recorder();
  const clients = 200;
  const before = timeouts();
  const receivers = Array.from({ length: clients }, (_, connection) =>
    createPollReceiver({ scenario, target: new URL(target.url), recorder, tls: undefined, localAddress: undefined, sink: eventSink(recorder), connection }),
  );
  try {
    const startAt = now();
    receivers.forEach((receiver, client) => receiver.start(pollTiming(500, true, client, clients, startAt, scenario.reconnect)));
    let most = 0;
    for (let sample = 0; sample < 12; sample++) {
      await sleep(100);
      most = Math.max(most, timeouts() - before);
    }
    // Each client has polled at least twice, and waited for its next tick in between.
    assert.ok(recorder.takeInterval().counters.requests >= 2 * clients);
    // The HTTP client and the target keep a few timers of their own (connect timeouts).
    assert.ok(most < clients / 4, `${most} timers for ${clients} waiting clients`);
  } finally {
    await Promise.all(receivers.map((receiver) => receiver.close()));
    await target.close();
  }
});

test('100 closed-loop connections pausing for their think time hold no timer of their own', async () => {
  const target = await startTarget({ settings: defaults.server });
  const scenario: StepScenario = { ...structuredClone(defaults), stepIndex: 0, stepLabel: 'main' };
  const recorder = new Recorder();
  const connections = 100;
  const drivers = Array.from({ length: connections }, (_, connection) =>
    createHttpDriver({
      scenario,
      target: new URL(target.url),
      recorder,
      tls: undefined,
      localAddress: undefined,
      onClosed: () => {},
      connection,
      sink: undefined,
    }),
  );
  const workload = closedWorkload({
    thinkTime: { distribution: 'fixed', value: 300 },
    stages: [],
    reconnect: scenario.reconnect,
    connections,
    sliceIndex: 0,
    sliceCount: 1,
    firstConnection: 0,
    totalConnections: connections,
  });
  let stopping = false;
  let answered = 0;
  const before = timeouts();
  const startAt = now();
  workload.start({
    slots: connections,
    now,
    startAt,
    endAt: startAt + 5000,
    send: (slot, _intendedAt, done) =>
      drivers[slot]!.send((_error, responded, endedAt) => {
        if (responded) answered++;
        done(responded, endedAt ?? now());
      }),
    dropArrival: () => {},
    abandonArrival: () => {},
    establish: () => {},
    drop: () => {},
    lost: () => {},
    stopping: () => stopping,
  });
  try {
    for (let slot = 0; slot < connections; slot++) workload.slotOpen?.(slot);
    let most = 0;
    for (let sample = 0; sample < 10; sample++) {
      await sleep(100);
      most = Math.max(most, timeouts() - before);
    }
    // Every connection has sent again after at least one pause.
    assert.ok(answered >= 2 * connections, `answered ${answered}`);
    assert.ok(most < connections / 4, `${most} timers for ${connections} pausing connections`);
  } finally {
    stopping = true;
    workload.stop(false);
    await Promise.all(drivers.map((driver) => driver.close()));
    await target.close();
  }
});
