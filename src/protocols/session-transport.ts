// How a scripted HTTP session's requests travel, by `http.version`: HTTP/1.1 through one undici
// Client (one keep-alive socket), HTTP/2 through the same node:http2 client as the plain load
// (http2-client.ts), so a session's GOAWAYs, refused streams and RST_STREAM codes are counted
// as every other workload's. With `auto` over TLS, ALPN decides per connection, and a
// connection that got HTTP/1.1 carries on over undici on the socket it opened.
import type { Socket } from 'node:net';
import { undiciParts, type Client } from './undici-client.js';
import type { DriverContext } from './driver.js';
import { now } from '../metrics/clock.js';
import { errorCode } from './error-code.js';
import { countedOpener } from './counted-opener.js';
import { Http2Client, Http2Exchange } from './http2-client.js';
import { http2Headers } from './http2-headers.js';
import { socketOpener, type SocketOpener } from './socket-opener.js';
import { httpTarget } from './target-port.js';
import { undiciConnector } from './undici-connector.js';
import { versionOpener } from './version-opener.js';

export interface SessionRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string | undefined;
}

export interface SessionAnswer {
  status: number;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: Buffer;
}

export interface SessionTransport {
  /** The answer, whatever its status, or the error code of a request that got none. */
  request(request: SessionRequest): Promise<SessionAnswer | string>;
  /** Ends the connection; the next request opens a new one. */
  drop(): void;
  close(): Promise<void>;
}

export function sessionTransport(context: DriverContext): SessionTransport {
  const { recorder, tls } = context;
  const { version } = context.scenario.http;
  // No ALPN without TLS: `auto` on http:// is HTTP/1.1 (h2c needs http.version: 2).
  if (version === '1.1' || (version === 'auto' && !tls)) return undiciTransport(context, versionOpener(recorder, tls, version));
  return http2Transport(context);
}

function undiciTransport(context: DriverContext, opener: SocketOpener): SessionTransport {
  const { recorder, localAddress } = context;
  const settings = context.scenario.http;
  const origin = httpTarget(context.target).origin;
  const connect = undiciConnector(opener, recorder, settings.timeout || 30_000);
  const newClient = (): Client => {
    const created = new (undiciParts().Client)(origin, {
      connect,
      keepAliveTimeout: settings.keepAliveTimeout,
      headersTimeout: settings.timeout,
      bodyTimeout: settings.timeout,
      ...(localAddress ? { localAddress } : {}),
    });
    created.on('connectionError', () => {});
    return created;
  };
  let client = newClient();
  return {
    async request({ method, path, headers, body }) {
      try {
        const response = await client.request({ method, path, headers, body: body ?? null, reset: !settings.keepAlive });
        return { status: response.statusCode, headers: response.headers, body: Buffer.from(await response.body.arrayBuffer()) };
      } catch (err) {
        return errorCode(err);
      }
    },
    drop() {
      const dropped = client;
      client = newClient();
      void dropped.destroy();
    },
    async close() {
      await client.destroy();
    },
  };
}

/** A session's request over HTTP/2: its answer (headers and body kept), an error code, or undefined when ALPN sent it to HTTP/1.1. */
class SessionExchange extends Http2Exchange {
  constructor(
    request: SessionRequest,
    readonly settle: (answer: SessionAnswer | string | undefined) => void,
  ) {
    super(http2Headers(request.method, request.path, request.headers), request.body === undefined ? undefined : Buffer.from(request.body), true, now());
  }

  answered(failure: string | null): void {
    this.settle(failure ?? { status: this.status, headers: this.responseHeaders ?? {}, body: Buffer.concat(this.chunks ?? []) });
  }
}

function http2Transport(context: DriverContext): SessionTransport {
  const { recorder, tls } = context;
  /** `auto` met HTTP/1.1: the session goes on over undici, from the socket ALPN settled on. */
  let fallback: SessionTransport | undefined;
  const client = new Http2Client({
    context,
    onHttp1(socket: Socket, waiting: Http2Exchange[]) {
      fallback = undiciTransport(context, countedOpener(socketOpener(recorder, tls), recorder, socket));
      for (const exchange of waiting as SessionExchange[]) exchange.settle(undefined);
    },
    // A session learns of a lost connection from its next request, as over HTTP/1.1.
    onClosed() {},
  });
  return {
    async request(request) {
      if (fallback) return fallback.request(request);
      const answer = await new Promise<SessionAnswer | string | undefined>((settle) => client.request(new SessionExchange(request, settle)));
      return answer ?? fallback!.request(request);
    },
    drop() {
      if (fallback) fallback.drop();
      else client.drop();
    },
    async close() {
      client.close();
      await fallback?.close();
    },
  };
}
