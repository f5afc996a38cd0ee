// HTTP/1.1 over one undici Client per connection, so each simulated client owns exactly
// one socket (keep-alive) or opens one per request (keepAlive: false sends
// `Connection: close`). The legacy dispatch handler is used because undici 7's core speaks
// it natively; the newer handler API is wrapped on every request, which costs CPU here.
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { buildConnector, Client, type Dispatcher } from 'undici';
import type { ConnectionDriver, DriverContext, SendDone } from './driver.js';
import { errorCode } from './error-code.js';

export function createHttpDriver({ scenario, target, recorder }: DriverContext): ConnectionDriver {
  const settings = scenario.http;
  const baseConnect = buildConnector({ timeout: settings.timeout || 30_000 });
  const connect: buildConnector.connector = (options, callback) => {
    const startedAt = performance.now();
    baseConnect(options, (error, socket) => {
      if (error || !socket) {
        recorder.count('connectionsFailed');
        callback(error ?? new Error('connect failed'), null);
        return;
      }
      recorder.record('connect', (performance.now() - startedAt) * 1000);
      recorder.trackSocket(socket as Socket);
      callback(null, socket);
    });
  };
  const client = new Client(target.origin, {
    connect,
    pipelining: settings.pipelining,
    keepAliveTimeout: settings.keepAliveTimeout,
    keepAliveMaxTimeout: Math.max(settings.keepAliveTimeout, 1),
    headersTimeout: settings.timeout,
    bodyTimeout: settings.timeout,
  });
  // A client-level error (e.g. the target vanished) must not crash the worker; the
  // request that met it reports it through its own handler.
  client.on('connectionError', () => {});

  const body = settings.body === undefined ? null : Buffer.from(settings.body);
  const path = target.pathname === '/' && settings.path ? settings.path : target.pathname + target.search;
  const requestOptions: Dispatcher.DispatchOptions = {
    origin: target.origin,
    path,
    method: settings.method,
    headers: settings.headers,
    body,
    reset: !settings.keepAlive,
  };

  return {
    open(done) {
      done(null);
    },
    send(done: SendDone) {
      let status = 0;
      client.dispatch(requestOptions, {
        onConnect() {},
        onHeaders(statusCode) {
          status = statusCode;
          return true;
        },
        onData() {
          return true;
        },
        onComplete() {
          done(status >= 400 ? `http_${status}` : null, true);
        },
        onError(error) {
          done(errorCode(error), false);
        },
      });
    },
    async close() {
      await client.destroy();
    },
  };
}
