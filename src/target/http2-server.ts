// The built-in target's HTTP/2 face (`server.http2: true`): the same fixed-size response
// and delay over node:http2's stream API, by ALPN `h2` with TLS or as h2c (prior knowledge)
// without. It speaks HTTP/2 only: an HTTP/1.1 client is what `server.http2: false` serves.
// Its connection knobs are the HTTP/2 forms of the HTTP/1.1 ones: SETTINGS_MAX_CONCURRENT_STREAMS
// from `maxConcurrentStreams`, a GOAWAY after `keepAliveTimeout` of idleness, and a GOAWAY
// after `maxRequestsPerSocket` streams, whose last stream id is the last one it serves.
import http2 from 'node:http2';
import type { Socket } from 'node:net';
import type { ServerSettings } from '../scenario/types.js';
import { answerAfterBody } from './answer-after-body.js';
import type { TlsMaterial } from './certificate.js';

const { NGHTTP2_NO_ERROR } = http2.constants;

export interface Http2Hooks {
  /** A stream (request) began on `session`. */
  requestStarted(session: object): void;
  requestEnded(session: object): void;
}

export type Http2Target = http2.Http2Server | http2.Http2SecureServer;

export function createHttp2Target(settings: ServerSettings, tls: TlsMaterial | undefined, hooks: Http2Hooks): Http2Target {
  const options: http2.SecureServerOptions = {
    settings: { maxConcurrentStreams: settings.maxConcurrentStreams },
    // Node's default caps a session at 10 MiB of unacknowledged frames, which a few
    // thousand streams in flight on one connection exceed; the scenario decides the load.
    maxSessionMemory: 1000,
  };
  const server = tls ? http2.createSecureServer({ ...options, cert: tls.cert, key: tls.key }) : http2.createServer(options);
  const body = Buffer.alloc(settings.responseSize, 'x');
  const responseHeaders = {
    ':status': 200,
    'content-type': 'application/octet-stream',
    'content-length': String(body.length),
  };
  const served = new WeakMap<http2.Http2Session, number>();

  // node:http2 leaves Nagle's algorithm on (node:http turns it off): small responses would
  // wait for the client's delayed ACK.
  server.on('connection', (socket: Socket) => socket.setNoDelay(true));
  server.on('session', (session) => {
    session.on('error', ignore);
    // Idleness is no frame either way; the session's socket timer measures exactly that.
    if (settings.keepAliveTimeout > 0) session.setTimeout(settings.keepAliveTimeout, () => goAway(session));
  });

  server.on('stream', (stream) => {
    stream.on('error', ignore);
    const session = stream.session;
    if (!session) return;
    hooks.requestStarted(session);
    stream.once('close', () => hooks.requestEnded(session));
    const count = (served.get(session) ?? 0) + 1;
    served.set(session, count);
    // The limit's stream is served, the ones after it are refused by the GOAWAY's last stream id.
    if (settings.maxRequestsPerSocket > 0 && count === settings.maxRequestsPerSocket) goAway(session, stream.id);
    const respond = (): void => {
      if (stream.destroyed || stream.closed) return;
      stream.respond(responseHeaders);
      stream.end(body);
    };
    answerAfterBody(stream, stream, settings.responseDelay, respond);
  });
  return server;
}

/** A graceful end: GOAWAY (NO_ERROR), streams up to `lastStreamId` finish, then the connection closes. */
function goAway(session: http2.Http2Session, lastStreamId?: number): void {
  if (session.closed || session.destroyed) return;
  session.goaway(NGHTTP2_NO_ERROR, lastStreamId);
  session.close();
}

function ignore(): void {}
