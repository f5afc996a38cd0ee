// protocol: sse. Each client holds one text/event-stream open (sse-stream.ts: one socket,
// parsed as a browser's EventSource does) and, when the server ends the stream or it breaks,
// reconnects after the reconnection time (sse.retry until the server sends `retry:`) with
// `Last-Event-ID`, so a resume shows up as lost, duplicated or reordered events rather than
// going unseen. With a workload that holds connections (hold, connect, reconnect-storm) each
// connection is one idle stream instead: it counts as open once the answer is an event
// stream, and a stream the target ends is brought back by the workload, with its
// `Last-Event-ID`, so what holding N event streams costs is measured like N WebSockets.
import { now } from '../metrics/clock.js';
import { Reconnection } from '../metrics/reconnection.js';
import { connectionWorkloads } from '../scenario/types.js';
import type { ConnectionDriver, DriverContext, SendDone } from './driver.js';
import { eventReader, type ReadResult } from './event-json.js';
import type { ProtocolModule } from './protocol.js';
import type { ReceiveTiming } from './receive-timing.js';
import type { EventReceiver, ReceiverContext } from './receiver.js';
import type { ServerSentEvent } from './sse-parser.js';
import { sseStreams } from './sse-stream.js';
import { wakeAt } from '../metrics/alarms.js';

export function createSseReceiver(context: ReceiverContext): EventReceiver {
  const { scenario, recorder, sink } = context;
  const settings = scenario.sse;
  const reader = eventReader(scenario.events);
  const streams = sseStreams(context);
  let closed = false;
  const reconnection = new Reconnection(recorder);
  let timing: ReceiveTiming | undefined;

  const readEvent = (event: ServerSentEvent): ReadResult => {
    if (settings.sequenceFrom === 'data') return reader.message(event.data);
    if (!/^\d+$/.test(event.lastEventId)) return { events: [], problem: 'event_bad_sequence' };
    return { events: [{ seq: Number(event.lastEventId), publishedAt: reader.timestamp(event.data) }], problem: undefined };
  };

  function open(): void {
    if (closed) return;
    reconnection.attempt();
    const startedAt = now();
    let waitingForFirst = true;
    let streaming = false;
    streams.open({
      opened() {
        streaming = true;
        reconnection.opened();
      },
      event(event) {
        if (settings.event !== '' && event.type !== settings.event) return;
        const receivedAt = now();
        if (waitingForFirst) {
          waitingForFirst = false;
          recorder.record('first_event', (receivedAt - startedAt) * 1000);
          // A stream that delivers is an answer: the next failure backs off from the first wait again.
          timing?.nextAt(receivedAt, true);
        }
        const { events, problem } = readEvent(event);
        if (problem) recorder.error(problem);
        if (events.length > 0) sink.received(events, receivedAt);
      },
      ended(code) {
        if (closed) return;
        if (code !== null) recorder.error(code);
        if (streaming) reconnection.lost();
        // A stream that broke waits the reconnection time and the `reconnect` backoff, growing with each failure in a row.
        const backoff = code === null || !timing ? 0 : timing.nextAt(now(), false) - now();
        wakeAt(now() + Math.max(streams.reconnectMs, backoff), open);
      },
    });
  }

  return {
    start(given: ReceiveTiming) {
      timing = given;
      wakeAt(given.firstAt, open);
    },
    async close() {
      closed = true;
      await streams.close();
    },
  };
}

/** One idle event stream per connection, for the workloads that hold connections. */
export function createSseHoldDriver({ scenario, target, recorder, tls, localAddress, onClosed, connection }: DriverContext): ConnectionDriver {
  const streams = sseStreams({ scenario, target, recorder, tls, localAddress });
  let closing = false;

  const establish = (done: SendDone): void => {
    let open = false;
    streams.open({
      opened() {
        open = true;
        done(null, true);
      },
      // Held streams are idle by design; what arrives still moves the id a resume sends.
      event() {},
      ended(code, answered) {
        if (closing) return;
        if (!open) {
          done(code ?? 'sse_stream_ended', answered);
          return;
        }
        // A stall is a failure of the target, as a WebSocket's unanswered ping; an end is a reconnect.
        if (code === 'sse_stalled') recorder.error(code);
        onClosed(connection, code ?? 'sse_stream_ended');
      },
    });
  };

  return {
    open(done) {
      establish((error) => done(error));
    },
    establish,
    drop() {
      streams.cut();
    },
    send(done) {
      done('sse_has_no_requests', false);
    },
    async close() {
      closing = true;
      await streams.close();
    },
  };
}

export const sseProtocol: ProtocolModule = {
  section: 'sse',
  servedOverHttp2: false,
  newcomers: false,
  transports: ['sse'],
  urlSchemes: ['http:', 'https:'],
  rules: [],
  plan: (step) =>
    connectionWorkloads.includes(step.workload)
      ? {
          kind: 'send',
          label: `protocol: sse with workload: ${step.workload}`,
          workloads: connectionWorkloads,
          workloadsWhy: 'each connection holds an event stream',
          connectMetric: 'connect',
          socketsPerConnection: 1,
          countsAs: 'requests',
          ownMetrics: [],
          driver: createSseHoldDriver,
          metric: 'latency',
          inFlightPerConnection: 1,
          establishCountsRequest: false,
          payloadBytes: 0,
        }
      : {
          kind: 'receive',
          label: 'protocol: sse',
          workloads: ['closed', ...connectionWorkloads],
          workloadsWhy: 'clients hold the stream open and wait for events, or hold idle streams',
          connectMetric: 'connect',
          socketsPerConnection: 1,
          countsAs: 'requests',
          ownMetrics: ['first_event'],
          receiver: createSseReceiver,
          transport: 'sse',
          pace: undefined,
          pathField: 'sse.path',
        },
};
