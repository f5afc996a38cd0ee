// protocol: sse. Each client holds one text/event-stream open over its own undici Client
// (one socket), parses it as a browser's EventSource does (sse-parser.ts) and, when the
// server ends the stream or it breaks, reconnects after the reconnection time (sse.retry
// until the server sends `retry:`) with `Last-Event-ID`, so a resume shows up as lost,
// duplicated or reordered events rather than going unseen. A response that is not an event
// stream, an HTTP error and a stream silent past sse.readTimeout are each counted by code
// and reconnected. Header bytes are counted as for polling, so requests and header bytes
// per event compare across the transports.
import { Client, type Dispatcher } from 'undici';
import { now } from '../metrics/clock.js';
import { errorCode } from './error-code.js';
import { eventReader, type ReadResult } from './event-json.js';
import { responseHeadBytes } from './poll.js';
import type { ProtocolModule, ReceivePlan } from './protocol.js';
import type { ReceiveTiming } from './receive-timing.js';
import type { EventReceiver, ReceiverContext } from './receiver.js';
import { socketOpener } from './socket-opener.js';
import { sseParser, type ServerSentEvent } from './sse-parser.js';
import { httpTarget } from './target-port.js';
import { countingConnector, undiciConnector } from './undici-connector.js';

export function createSseReceiver(context: ReceiverContext): EventReceiver {
  const { scenario, recorder, tls, sink } = context;
  const settings = scenario.sse;
  const target = httpTarget(context.target);
  const reader = eventReader(scenario.events);
  const { connect, writtenSinceLast } = countingConnector(undiciConnector(socketOpener(recorder, tls), recorder, settings.readTimeout));
  // undici's bodyTimeout is the longest silence between two chunks: exactly a stall.
  const client = new Client(target.origin, { connect, pipelining: 1, headersTimeout: settings.readTimeout, bodyTimeout: settings.readTimeout });
  // A client-level error must not crash the worker; the stream that met it reports it.
  client.on('connectionError', () => {});

  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let reconnectMs = settings.retry;
  let lastEventId = '';
  let streams = 0;

  const readEvent = (event: ServerSentEvent): ReadResult => {
    if (settings.sequenceFrom === 'data') return reader.message(event.data);
    if (!/^\d+$/.test(event.lastEventId)) return { events: [], problem: 'event_bad_sequence' };
    return { events: [{ seq: Number(event.lastEventId), publishedAt: reader.timestamp(event.data) }], problem: undefined };
  };

  const again = (): void => {
    if (closed) return;
    timer = setTimeout(open, reconnectMs);
  };

  function open(): void {
    if (closed) return;
    if (streams++ > 0) recorder.count('reconnects');
    const startedAt = now();
    let waitingForFirst = true;
    // The response was refused (an HTTP error, not an event stream) and aborted: its end is no error of its own.
    let refused = false;
    let abort: ((reason?: Error) => void) | undefined;
    const parser = sseParser(settings.maxEventSize, {
      event(event) {
        if (settings.event !== '' && event.type !== settings.event) return;
        const receivedAt = now();
        if (waitingForFirst) {
          waitingForFirst = false;
          recorder.record('first_event', (receivedAt - startedAt) * 1000);
        }
        const { events, problem } = readEvent(event);
        if (problem) recorder.error(problem);
        if (events.length > 0) sink.received(events, receivedAt);
      },
      retry(ms) {
        reconnectMs = ms;
      },
      problem(code) {
        recorder.error(code);
      },
    });
    const ended = (): void => {
      if (parser.lastEventId !== undefined) lastEventId = parser.lastEventId;
      again();
    };
    const refuse = (code: string): void => {
      recorder.error(code);
      refused = true;
      abort?.();
    };
    const headers: Record<string, string> = { ...scenario.http.headers, accept: 'text/event-stream', 'cache-control': 'no-cache' };
    if (lastEventId !== '') headers['last-event-id'] = lastEventId;
    const options: Dispatcher.DispatchOptions = { origin: target.origin, path: settings.path, method: 'GET', headers };
    client.dispatch(options, {
      onConnect(abortRequest) {
        abort = abortRequest;
      },
      onHeaders(statusCode, rawHeaders, _resume, statusText) {
        recorder.count('requests');
        recorder.count('headerBytes', writtenSinceLast() + responseHeadBytes(statusCode, statusText, rawHeaders));
        if (statusCode >= 300) refuse(`http_${statusCode}`);
        else if (!isEventStream(rawHeaders)) refuse('sse_not_event_stream');
        return true;
      },
      onData(chunk) {
        if (!refused) parser.push(chunk);
        return true;
      },
      onComplete() {
        if (closed) return;
        ended();
      },
      onError(error) {
        if (closed) return;
        if (!refused) {
          const code = errorCode(error);
          recorder.error(code === 'timeout' ? 'sse_stalled' : code);
        }
        ended();
      },
    });
  }

  return {
    start(timing: ReceiveTiming) {
      timer = setTimeout(open, Math.max(0, timing.firstAt - now()));
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      await client.destroy();
    },
  };
}

function isEventStream(rawHeaders: readonly (Buffer | string)[]): boolean {
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (String(rawHeaders[i]).toLowerCase() === 'content-type') {
      return (
        String(rawHeaders[i + 1])
          .split(';')[0]!
          .trim()
          .toLowerCase() === 'text/event-stream'
      );
    }
  }
  return false;
}

export const sseProtocol: ProtocolModule = {
  section: 'sse',
  servedOverHttp2: false,
  newcomers: false,
  urlSchemes: ['http:', 'https:'],
  rules: [],
  plan: (): ReceivePlan => ({
    kind: 'receive',
    label: 'protocol: sse',
    workloads: ['closed'],
    workloadsWhy: 'clients hold the stream open and wait for events',
    connectMetric: 'connect',
    countsAs: 'requests',
    ownMetrics: ['first_event'],
    receiver: createSseReceiver,
    transport: 'sse',
    pace: undefined,
    pathField: 'sse.path',
  }),
};
