// Runs one worker's slice of a receive-driven step (poll, long-poll, WebSocket subscribe):
// one receiver per client, each with its own sequence-tracking sink and its own timing, left
// to run until the step ends. There is no send loop: the target's events drive everything.
// Ready, start, snapshots and stop follow the same protocol as runSlice (slice-lifecycle.ts).
import type { MessagePort } from 'node:worker_threads';
import type { ReceivePlan } from '../protocols/protocol.js';
import { clientTls, isTlsUrl } from '../protocols/tls-options.js';
import { connectRateShare } from '../workloads/index.js';
import { immediateTiming, openingTime, pollTiming } from '../workloads/receive-timing.js';
import { eventSink } from './event-sink.js';
import { watchLoopDelay } from './loop-delay.js';
import { sourceOf, type Slice } from './messages.js';
import { Recorder } from '../metrics/recorder.js';
import { sliceLifecycle } from './slice-lifecycle.js';

export async function runReceiveSlice(slice: Slice, port: MessagePort, plan: ReceivePlan): Promise<void> {
  const { scenario } = slice;
  const recorder = new Recorder();
  const createReceiver = plan.receiver;
  const targets = slice.targets.map((url) => new URL(url));
  // Every target process speaks the same scheme; the TLS context is built once.
  const tls = isTlsUrl(targets[0]!) ? clientTls(scenario.tls, slice.trustedCa) : undefined;
  const clients = Array.from({ length: slice.connections }, (_, i) => {
    // Clients spread over the target's processes by their global index, as in runSlice.
    const global = slice.firstConnection + i;
    const target = targets[global % targets.length]!;
    return {
      global,
      receiver: createReceiver({
        scenario,
        target,
        recorder,
        tls,
        localAddress: sourceOf(slice, global),
        sink: eventSink(recorder, slice.targetClockOffsetMs ?? 0),
        connection: global,
      }),
    };
  });

  const lifecycle = sliceLifecycle(slice, port, recorder);
  const stopWatchingLoop = watchLoopDelay(recorder);
  await lifecycle.waitForStart();
  // Clients first connect at this worker's share of connectRate, as a send loop's connections do.
  const rate = connectRateShare(scenario, slice);
  const { pace } = plan;
  clients.forEach(({ global, receiver }, index) => {
    const openAt = openingTime(slice.startAt, index, rate);
    receiver.start(
      pace
        ? pollTiming(pace.interval, pace.jitter, global, slice.totalConnections, slice.startAt, scenario.reconnect, openAt)
        : immediateTiming(openAt, scenario.reconnect),
    );
  });
  await lifecycle.runIntervals();
  const openAtEnd = recorder.connectionsOpen;
  // A held long-poll would otherwise keep the step open for up to its whole timeout.
  await Promise.all(clients.map(({ receiver }) => receiver.close()));
  stopWatchingLoop();
  lifecycle.finish(openAtEnd);
}
