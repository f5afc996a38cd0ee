// Runs one worker's slice of a step: open its connections, let the workload drive them
// through the protocol driver, and stream a snapshot to the coordinator at every interval.
// Nothing here waits on another worker.
import type { MessagePort } from 'node:worker_threads';
import { loadStepPlan } from '../protocols/load.js';
import type { ConnectionDriver, SendDone } from '../protocols/driver.js';
import { clientTls, isTlsUrl } from '../protocols/tls-options.js';
import { connectRateShare, opensOwnConnections, workloadFor } from '../workloads/index.js';
import type { SlotDone } from '../workloads/workload.js';
import { connectionControl } from './connection-control.js';
import { openConnections } from './open-connections.js';
import { ClientsHeld } from './clients-held.js';
import { now } from '../metrics/clock.js';
import { watchLoopDelay } from './loop-delay.js';
import { sourceOf, type Slice } from './messages.js';
import { startNewcomers } from './newcomers.js';
import { Recorder } from '../metrics/recorder.js';
import { sliceLifecycle } from './slice-lifecycle.js';
import { runReceiveSlice } from './receive-slice.js';
import { eventSink } from './event-sink.js';

/** How long in-flight requests may take to finish after the step ends. */
const drainTimeoutMs = 2000;
/** The same when stopped early by a signal (the waits of the whole finish then have 600 ms). */
const earlyDrainTimeoutMs = 250;

export async function runSlice(slice: Slice, port: MessagePort): Promise<void> {
  const { scenario } = slice;
  const plan = await loadStepPlan(scenario);
  if (plan.kind === 'receive') return runReceiveSlice(slice, port, plan);
  const recorder = new Recorder();
  const createDriver = plan.driver;
  const targets = slice.targets.map((url) => new URL(url));
  // One TLS setup for the whole slice: building it parses every trusted root certificate.
  const tls = targets.some((target) => isTlsUrl(target)) ? clientTls(scenario.tls, slice.trustedCa) : undefined;
  const clients = new ClientsHeld(slice.connections);
  // One function for every connection: a held connection costs no closure here.
  const onClosed = (connection: number, code: string): void => {
    clients.lost(connection - slice.firstConnection);
    workload.connectionLost?.(connection - slice.firstConnection, code);
  };
  const drivers: ConnectionDriver[] = [];
  for (let i = 0; i < slice.connections; i++) {
    // Connections spread over the targets' processes and the source addresses by their
    // global index, so every worker and shard agrees on who goes where.
    const global = slice.firstConnection + i;
    const target = targets[global % targets.length]!;
    drivers.push(
      createDriver({
        scenario,
        target,
        recorder,
        tls: isTlsUrl(target) ? tls : undefined,
        localAddress: sourceOf(slice, global),
        onClosed,
        connection: global,
        sink: scenario.websocket.session.push ? eventSink(recorder, slice.targetClockOffsetMs ?? 0) : undefined,
      }),
    );
  }

  const countAs = plan.countsAs;
  const openModel = scenario.workload === 'arrival-rate';
  let stopping = false;
  let inFlight = 0;
  let drained: (() => void) | undefined;

  // The hot path: one callback per slot made once, not a closure per request, and one clock
  // read per request in a closed loop (sent = intended there, and the answer's end time is
  // the next request's intended time). Drivers that time requests themselves are handed
  // these times rather than reading the clock again. The per-slot state is made at the first
  // send: workloads that only hold connections never send, and never pay for it.
  const slots = slice.connections * plan.inFlightPerConnection;
  let loop: RequestLoop | undefined;
  const primary = recorder.histogram(plan.metric);
  const serviceTime = recorder.histogram('service_time');
  const scheduleLag = recorder.histogram('schedule_lag');
  const answered =
    (state: RequestLoop, slot: number): SendDone =>
    (error, responded, at) => {
      inFlight--;
      const endedAt = at ?? now();
      if (responded) {
        recorder.count(countAs);
        primary.record((endedAt - state.intendedAt[slot]!) * 1000);
        if (openModel) {
          serviceTime.record((endedAt - state.sentAt[slot]!) * 1000);
          scheduleLag.record((state.sentAt[slot]! - state.intendedAt[slot]!) * 1000);
        }
      }
      if (error) recorder.error(error);
      // The workload may send again from here (an open model's queue), so check the drain after.
      state.slotDone[slot]!(responded, endedAt);
      if (stopping && inFlight === 0) drained?.();
    };

  const send = (slot: number, intended: number, done: SlotDone): void => {
    const state = (loop ??= requestLoop(slots, openModel));
    state.intendedAt[slot] = intended;
    const sendingAt = openModel ? (state.sentAt[slot] = now()) : intended;
    state.slotDone[slot] = done;
    inFlight++;
    drivers[slot % drivers.length]!.send((state.driverDone[slot] ??= answered(state, slot)), sendingAt);
  };

  const workloadPlan = {
    connections: slice.connections,
    firstConnection: slice.firstConnection,
    totalConnections: slice.totalConnections,
    sliceIndex: slice.workerIndex,
    sliceCount: slice.workerCount,
  };
  const workload = workloadFor(scenario, workloadPlan);

  // Only workloads that establish connections themselves know which clients are connected.
  const ownConnections = opensOwnConnections(scenario);
  const lifecycle = sliceLifecycle(slice, port, recorder, ownConnections ? () => clients.now : undefined);
  const stopWatchingLoop = watchLoopDelay(recorder);
  await lifecycle.waitForStart();
  workload.start({
    slots,
    now,
    startAt: slice.startAt,
    endAt: slice.endAt,
    send,
    dropArrival: () => recorder.count('dropped'),
    abandonArrival: () => recorder.error('unsent'),
    ...connectionControl(drivers, recorder, plan.establishCountsRequest, clients),
    stopping: () => stopping,
  });
  // A staged closed workload opens connections as its profile reaches them, and hold and
  // connect workloads at their connect rate themselves; the others get each slot here once
  // its connection is open (every slot of a pipelined connection at once).
  const openHere = !(scenario.workload === 'closed' && scenario.stages.length > 0) && !ownConnections;
  const stopOpening = openHere
    ? openConnections(drivers, connectRateShare(scenario, workloadPlan), slice.startAt, recorder, (connection) => {
        for (let slot = connection; slot < slots; slot += drivers.length) workload.slotOpen?.(slot);
      })
    : undefined;
  let stopNewcomers = (): void => {};
  const reachedEnd = await lifecycle.runIntervals(() => (stopNewcomers = startNewcomers(slice, recorder)));

  stopping = true;
  stopOpening?.();
  workload.stop(!reachedEnd);
  stopNewcomers();
  if (inFlight > 0) {
    await new Promise<void>((resolve) => {
      drained = resolve;
      setTimeout(resolve, reachedEnd ? drainTimeoutMs : earlyDrainTimeoutMs).unref();
    });
  }
  workload.finish?.();
  stopWatchingLoop();
  // The last interval ends at the step's end: what was open then, not after closing.
  const openAtEnd = recorder.connectionsOpen;
  const clientsAtEnd = clients.now;
  await Promise.all(drivers.map((driver) => driver.close()));
  lifecycle.finish(openAtEnd, ownConnections ? clientsAtEnd : undefined);
}

/** What a slice that sends keeps per slot: when each request was meant to go and went, and its callbacks. */
interface RequestLoop {
  intendedAt: Float64Array;
  sentAt: Float64Array;
  slotDone: SlotDone[];
  driverDone: SendDone[];
}

function requestLoop(slots: number, openModel: boolean): RequestLoop {
  return {
    intendedAt: new Float64Array(slots),
    // Only an open model tells the send time from the intended one.
    sentAt: new Float64Array(openModel ? slots : 0),
    slotDone: new Array<SlotDone>(slots),
    driverDone: new Array<SendDone>(slots),
  };
}
