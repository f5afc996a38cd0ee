// HTTP/1.1 over one undici Client per connection, so each simulated client owns exactly
// one socket (keep-alive) or opens one per request (keepAlive: false sends
// `Connection: close`). The legacy dispatch handler is used because undici 7's core speaks
// it natively; the newer handler API is wrapped on every request, which costs CPU here.
import type { Dispatcher } from 'undici';
import { undiciParts, type Client } from './undici-client.js';
import type { ConnectionDriver, DriverContext, SendDone } from './driver.js';
import { now } from '../metrics/clock.js';
import { errorCode } from './error-code.js';
import { hintThreshold, SocketReuse, type RequestUse } from './socket-reuse.js';
import { countedOpener } from './counted-opener.js';
import { socketOpener, type SocketOpener } from './socket-opener.js';
import { httpTarget } from './target-port.js';
import { undiciConnector } from './undici-connector.js';
import type { ProtocolModule } from './protocol.js';
import { createHttp2Driver } from './http2.js';
import { createLeanHttp2Driver, leanHttp2Serves } from './http2-lean.js';
import { http2Rules } from './http2-rules.js';
import { httpSessionRules } from '../scenario/session-rules.js';
import { workloads } from '../scenario/types.js';
import { hasHttpSession } from '../scenario/session-types.js';
import { createHttpSessionDriver } from './http-session.js';
import { createLeanHttp1Driver } from './http1-keepalive.js';
import type { Scenario } from '../scenario/types.js';

/** Headers undici takes over from the request (`host`, `content-length`): the lean driver writes its own. */
const headersUndiciReads: ReadonlySet<string> = new Set(['host', 'content-length']);

/**
 * Whether the lean HTTP/1.1 driver serves the step rather than undici: the plain request loop
 * (closed or arrival-rate workload, HTTP/1.1 keep-alive, one request in flight, no session),
 * with no HEAD (undici closes the socket after one) and no `host` or `content-length` header
 * of the user's. Holds and connection cycling, pipelining, `keepAlive: false`, sessions and
 * `http.version: auto` keep undici.
 */
export function leanHttp1Serves(step: Scenario): boolean {
  const http = step.http;
  return (
    http.version === '1.1' &&
    !hasHttpSession(http.session) &&
    http.pipelining === 1 &&
    http.keepAlive &&
    (step.workload === 'closed' || step.workload === 'arrival-rate') &&
    http.method !== 'HEAD' &&
    !Object.keys(http.headers).some((name) => headersUndiciReads.has(name.toLowerCase()))
  );
}

/** `opener`: where sockets come from when not a fresh one per connect (`http.version: auto` hands one over). */
export function createHttpDriver(context: DriverContext, opener?: SocketOpener): ConnectionDriver {
  const { scenario, recorder, tls, localAddress, onClosed } = context;
  const target = httpTarget(context.target);
  const settings = scenario.http;
  const reuse = new SocketReuse(recorder);
  const connect = reuse.watch(undiciConnector(opener ?? countedOpener(socketOpener(recorder, tls), recorder), recorder, settings.timeout || 30_000));
  const newClient = (): Client => {
    const created = new (undiciParts().Client)(target.origin, {
      connect,
      pipelining: settings.pipelining,
      keepAliveTimeout: settings.keepAliveTimeout,
      keepAliveMaxTimeout: Math.max(settings.keepAliveTimeout, 1),
      keepAliveTimeoutThreshold: hintThreshold(settings),
      headersTimeout: settings.timeout,
      bodyTimeout: settings.timeout,
      ...(localAddress ? { localAddress } : {}),
    });
    // A client-level error (e.g. the target vanished) must not crash the worker; the
    // request that met it reports it through its own handler.
    created.on('connectionError', () => {});
    // A socket the target closed while the workload holds it (a drop, an idle timeout). One
    // reset before it answered is a failed establish, retried by the workload already: taken
    // for a lost connection too, it started a second retry beside that one, and so on (a storm).
    created.on('disconnect', (_origin, _targets, error) => {
      if (created !== client || closing || !settings.keepAlive || !held) return;
      held = false;
      onClosed(context.connection, errorCode(error));
    });
    return created;
  };
  let client = newClient();
  let closing = false;
  /** An established connection is held: its establishing request was answered. */
  let held = false;

  const body = settings.body === undefined ? null : Buffer.from(settings.body);
  const path = target.pathname === '/' && settings.path ? settings.path : target.pathname + target.search;
  const requestOptions: Dispatcher.DispatchOptions = {
    origin: target.origin,
    path,
    method: settings.method,
    // undici's flat array form: an object is checked for an iterator and its keys listed on every request.
    headers: Object.entries(settings.headers).flat(),
    body,
    reset: !settings.keepAlive,
    // undici's default holds a GET back until the headers of the request before it are in,
    // which caps `pipelining` at one request in flight, and re-runs its dispatch loop when
    // those headers arrive. The workload already decides what is in flight.
    blocking: false,
  };

  /** The handler of one request; with one request in flight at a time, one is reused for all. */
  function handlerFor(): { handler: Dispatcher.DispatchHandler; arm(done: SendDone, sentAt: number): void } {
    const use = {} as RequestUse;
    let status = 0;
    let done: SendDone | undefined;
    const handler: Dispatcher.DispatchHandler = {
      onConnect() {
        reuse.writing(use);
      },
      onHeaders(statusCode) {
        status = statusCode;
        reuse.answered(use);
        return true;
      },
      onData() {
        return true;
      },
      onComplete() {
        const endedAt = reuse.completed(use);
        done!(status >= 400 ? `http_${status}` : null, true, endedAt);
      },
      onError(error) {
        done!(reuse.failed(use, errorCode(error)), false);
      },
    };
    return {
      handler,
      arm(next, sentAt) {
        reuse.begin(use, sentAt);
        status = 0;
        done = next;
      },
    };
  }

  // With one request in flight at a time (no pipelining), one handler serves them all.
  const shared = settings.pipelining === 1 ? handlerFor() : undefined;

  function send(done: SendDone, sentAt = now()): void {
    const request = shared ?? handlerFor();
    request.arm(done, sentAt);
    client.dispatch(requestOptions, request.handler);
  }

  return {
    open(done) {
      done(null);
    },
    send,
    // undici connects on the first request: that request is what opens the socket. One still
    // opening when the step ends is cut by sockcap closing its connections, not by the target:
    // neither answered nor an error.
    establish(done) {
      send((error, responded, endedAt) => {
        held = responded;
        done(closing && !responded ? null : error, responded, endedAt);
      });
    },
    drop() {
      held = false;
      const dropped = client;
      client = newClient();
      void dropped.destroy();
    },
    async close() {
      closing = true;
      await client.destroy();
    },
  };
}

export const httpProtocol: ProtocolModule = {
  section: 'http',
  servedOverHttp2: true,
  newcomers: true,
  transports: [],
  urlSchemes: ['http:', 'https:'],
  rules: [...httpSessionRules, ...http2Rules],
  plan: (step) => ({
    kind: 'send',
    label: 'protocol: http',
    workloads,
    workloadsWhy: 'every workload sends requests',
    connectMetric: 'connect',
    socketsPerConnection: 1,
    countsAs: 'requests',
    ownMetrics: [],
    driver: hasHttpSession(step.http.session)
      ? createHttpSessionDriver
      : step.http.version === '1.1'
        ? leanHttp1Serves(step)
          ? createLeanHttp1Driver
          : createHttpDriver
        : leanHttp2Serves(step)
          ? createLeanHttp2Driver
          : (context) => createHttp2Driver(context, createHttpDriver),
    metric: 'latency',
    inFlightPerConnection: step.http.version === '1.1' ? step.http.pipelining : step.http.streams,
    establishCountsRequest: true,
    payloadBytes: 0,
  }),
};
