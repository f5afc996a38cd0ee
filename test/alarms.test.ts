// Clients waiting for their moment (a poll's next tick, a paced first connection, a
// reconnect) share one timer per thread rather than holding a Timeout each.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { now } from '../src/metrics/clock.js';
import { Recorder } from '../src/metrics/recorder.js';
import { wakeAt } from '../src/protocols/alarms.js';
import { createPollReceiver } from '../src/protocols/poll.js';
import { defaults } from '../src/scenario/defaults.js';
import type { StepScenario } from '../src/scenario/types.js';
import { startTarget } from '../src/target/server.js';
import { eventSink } from '../src/worker/event-sink.js';
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
    assert.ok(most < 10, `${most} timers for ${clients} waiting clients`);
  } finally {
    await Promise.all(receivers.map((receiver) => receiver.close()));
    await target.close();
  }
});
