// HTTP/2 load over node:http2 (the connection itself is http2-client.ts): one HTTP/2
// connection per simulated connection, every request the same, built once. With
// `http.version: auto`, a TLS connection whose ALPN picks HTTP/1.1 (and every plain one: there
// is no ALPN without TLS) is handed to the HTTP/1.1 driver, socket and all, and counted as such.
import type { Socket } from 'node:net';
import type { ConnectionDriver, DriverContext, SendDone } from './driver.js';
import { Http2Client, Http2Exchange } from './http2-client.js';
import { requestHeaders } from './http2-headers.js';
import { countedOpener } from './counted-opener.js';
import { socketOpener, type SocketOpener } from './socket-opener.js';
import { httpTarget } from './target-port.js';
import { now } from '../metrics/clock.js';
import type { OutgoingHttpHeaders } from 'node:http2';

/** The HTTP/1.1 driver `auto` falls back on, over sockets from `opener`. */
export type Http1Driver = (context: DriverContext, opener: SocketOpener) => ConnectionDriver;

/** A load request: answered when its stream closes, a status of 400 or more an error that still counts as answered. */
class LoadExchange extends Http2Exchange {
  constructor(
    headers: OutgoingHttpHeaders,
    body: Buffer | undefined,
    readonly done: SendDone,
    sentAt: number,
  ) {
    super(headers, body, false, sentAt);
  }

  answered(failure: string | null, endedAt: number): void {
    if (failure !== null) this.done(failure, false);
    else this.done(this.status >= 400 ? `http_${this.status}` : null, true, endedAt);
  }
}

export function createHttp2Driver(context: DriverContext, http1: Http1Driver): ConnectionDriver {
  const { scenario, recorder, tls, onClosed } = context;
  const target = httpTarget(context.target);
  const settings = scenario.http;
  const headers = requestHeaders(settings, target);
  const body = settings.body === undefined ? undefined : Buffer.from(settings.body);
  /** `auto` met HTTP/1.1: every request from then on goes through this driver. */
  let fallback: ConnectionDriver | undefined;

  const fallBack = (handed: Socket | undefined, waiting: readonly Http2Exchange[]): void => {
    fallback = http1(context, countedOpener(socketOpener(recorder, tls), recorder, handed));
    for (const exchange of waiting as readonly LoadExchange[]) fallback.send(exchange.done, exchange.sentAt);
  };
  /** An established connection is held: its establishing request was answered. */
  let held = false;
  const client = new Http2Client({
    context,
    onHttp1: fallBack,
    // Only a held connection is lost: one refused or reset before it answered is a failed
    // establish, which the workload retries already; taken for a lost connection too, it set
    // off a second retry chain beside that one, and so on (1,176 tries in 2 s of a refusing service).
    onClosed: (code) => {
      if (!held) return;
      held = false;
      onClosed(context.connection, code);
    },
  });
  // No ALPN without TLS: `auto` on http:// is HTTP/1.1 (h2c needs http.version: 2).
  if (settings.version === 'auto' && !tls) fallBack(undefined, []);

  function send(done: SendDone, sentAt = now()): void {
    if (fallback) fallback.send(done, sentAt);
    else client.request(new LoadExchange(headers, body, done, sentAt));
  }

  return {
    open(done) {
      done(null);
    },
    send,
    // The connection opens with its first request, as over HTTP/1.1.
    // Over HTTP/1.1 the fallback holds the connection, and tells of its loss only when it established it.
    establish: (done) =>
      fallback
        ? fallback.establish(done)
        : send((error, responded, endedAt) => {
            held = responded;
            done(error, responded, endedAt);
          }),
    drop() {
      held = false;
      if (fallback) fallback.drop();
      else client.drop();
    },
    async close() {
      client.close();
      if (fallback) await fallback.close();
    },
  };
}
