// Polling and long-polling over one undici Client per simulated client (one socket, reused
// while keep-alive lasts). Both send `GET <path>?since=<last seq seen>` and read the events
// in the answer; they differ only in their timing (poll: every interval; long-poll: again at
// once) and in how long a request may take (long-poll: the hold). Besides the socket's wire
// bytes they count header bytes: the request line and headers are the socket's bytes
// written since the previous request (a GET carries no body), and the status line and
// headers received are rebuilt from what undici parsed, byte for byte as `Name: value\r\n`.
import { httpTarget } from './target-port.js';
import type { Dispatcher } from 'undici';
import { undiciParts } from './undici-client.js';
import { now } from '../metrics/clock.js';
import { wakeAt } from '../metrics/alarms.js';
import type { ReceiveTiming } from './receive-timing.js';
import { errorCode } from './error-code.js';
import { eventReader } from './event-json.js';
import type { EventReceiver, ReceiverContext } from './receiver.js';
import { socketOpener } from './socket-opener.js';
import { countingConnector, undiciConnector } from './undici-connector.js';
import type { ProtocolModule, ReceivePlan } from './protocol.js';
import { formatDuration } from '../scenario/units.js';

export function createPollReceiver(context: ReceiverContext): EventReceiver {
  const { poll, http } = context.scenario;
  return httpEventReceiver(context, poll.path, http.timeout);
}

export function createLongPollReceiver(context: ReceiverContext): EventReceiver {
  const { longPoll } = context.scenario;
  return httpEventReceiver(context, longPoll.path, longPoll.timeout);
}

/** `{since}` in the path is replaced; without it `?<sinceParam>=<seq>` is appended once there is a seq. */
export function pollPath(template: string, sinceParam: string, since: number | undefined): string {
  if (template.includes('{since}')) return template.replaceAll('{since}', since === undefined ? '' : String(since));
  if (since === undefined) return template;
  return `${template}${template.includes('?') ? '&' : '?'}${encodeURIComponent(sinceParam)}=${since}`;
}

/** `HTTP/1.1 200 OK\r\n`, each `Name: value\r\n`, and the blank line, in bytes. */
export function responseHeadBytes(statusCode: number, statusText: string, rawHeaders: readonly (Buffer | string)[]): number {
  let bytes = 'HTTP/1.1 '.length + String(statusCode).length + 1 + Buffer.byteLength(statusText) + 2;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    bytes += Buffer.byteLength(rawHeaders[i]!) + 2 + Buffer.byteLength(rawHeaders[i + 1]!) + 2;
  }
  return bytes + 2;
}

function httpEventReceiver(context: ReceiverContext, pathTemplate: string, timeoutMs: number): EventReceiver {
  const { scenario, recorder, tls, localAddress, sink } = context;
  const target = httpTarget(context.target);
  const settings = scenario.http;
  const reader = eventReader(scenario.events);
  const { connect, writtenSinceLast } = countingConnector(undiciConnector(socketOpener(recorder, tls), recorder, settings.timeout || 30_000));
  const client = new (undiciParts().Client)(target.origin, {
    connect,
    pipelining: 1,
    keepAliveTimeout: settings.keepAliveTimeout,
    keepAliveMaxTimeout: Math.max(settings.keepAliveTimeout, 1),
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    ...(localAddress ? { localAddress } : {}),
  });
  // A client-level error must not crash the worker; the request that met it reports it.
  client.on('connectionError', () => {});

  let closed = false;
  let timing: ReceiveTiming | undefined;

  const next = (answered: boolean): void => {
    if (closed || !timing) return;
    const at = timing.nextAt(now(), answered);
    if (at <= now()) queueMicrotask(request);
    else wakeAt(at, request);
  };

  const handle = (body: string, receivedAt: number): void => {
    const { events, problem } = reader.response(body);
    if (problem) recorder.error(problem);
    if (sink.last !== undefined || events.length === 0) {
      sink.received(events, receivedAt);
      return;
    }
    // Asked without a position: what came back was published before this client joined.
    sink.positioned(events.reduce((highest, event) => Math.max(highest, event.seq), events[0]!.seq));
  };

  function request(): void {
    if (closed) return;
    const sentAt = now();
    const options: Dispatcher.DispatchOptions = {
      origin: target.origin,
      path: pollPath(pathTemplate, scenario.events.sinceParam, sink.last),
      method: 'GET',
      headers: settings.headers,
      reset: !settings.keepAlive,
    };
    let status = 0;
    let headBytes = 0;
    const chunks: Buffer[] = [];
    client.dispatch(options, {
      onConnect() {},
      onHeaders(statusCode, rawHeaders, _resume, statusText) {
        status = statusCode;
        headBytes = writtenSinceLast() + responseHeadBytes(statusCode, statusText, rawHeaders);
        return true;
      },
      onData(chunk) {
        chunks.push(chunk);
        return true;
      },
      onComplete() {
        if (closed) return;
        const receivedAt = now();
        recorder.count('requests');
        recorder.count('headerBytes', headBytes);
        recorder.record('latency', (receivedAt - sentAt) * 1000);
        const answered = status < 400;
        if (answered) handle(Buffer.concat(chunks).toString('utf8'), receivedAt);
        else recorder.error(`http_${status}`);
        next(answered);
      },
      onError(error) {
        if (closed) return;
        recorder.error(errorCode(error));
        next(false);
      },
    });
  }

  return {
    start(given) {
      timing = given;
      wakeAt(given.firstAt, request);
    },
    async close() {
      closed = true;
      await client.destroy();
    },
  };
}

const receiving = {
  kind: 'receive',
  workloads: ['closed'],
  workloadsWhy: 'clients wait for events; poll.interval sets the polling pace',
  connectMetric: 'connect',
  socketsPerConnection: 1,
  countsAs: 'requests',
  ownMetrics: [],
} as const;

export const pollProtocol: ProtocolModule = {
  section: 'poll',
  servedOverHttp2: false,
  newcomers: false,
  transports: ['poll'],
  urlSchemes: ['http:', 'https:'],
  rules: [],
  plan: (step): ReceivePlan => ({
    ...receiving,
    label: 'protocol: poll',
    receiver: createPollReceiver,
    transport: 'poll',
    pace: { interval: step.poll.interval, jitter: step.poll.jitter },
    pathField: 'poll.path',
  }),
};

export const longPollProtocol: ProtocolModule = {
  section: 'longPoll',
  servedOverHttp2: false,
  newcomers: false,
  transports: ['long-poll'],
  urlSchemes: ['http:', 'https:'],
  rules: [
    (s) =>
      s.target === undefined && s.longPoll.timeout <= s.server.longPollTimeout
        ? {
            path: ['longPoll', 'timeout'],
            expected: `expected more than server.longPollTimeout (${formatDuration(s.server.longPollTimeout)}), so the server ends an idle hold, not the client`,
          }
        : undefined,
  ],
  plan: (): ReceivePlan => ({
    ...receiving,
    label: 'protocol: long-poll',
    receiver: createLongPollReceiver,
    transport: 'long-poll',
    pace: undefined,
    pathField: 'longPoll.path',
  }),
};
