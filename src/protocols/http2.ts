// HTTP/2 over node:http2: one session, on one socket, per simulated connection, carrying up
// to `http.streams` requests at once and never more than the server's
// SETTINGS_MAX_CONCURRENT_STREAMS: requests past that wait here, in order, and their wait is
// part of their latency. The first request waits for the server's SETTINGS (one round trip),
// since streams sent before the limit is known are refused by a server with a lower one.
// node:http2 rather than undici: see docs/http2.md. With `http.version: auto`, a TLS
// connection whose ALPN picks HTTP/1.1 (and every plain one: there is no ALPN without TLS)
// is handed to the HTTP/1.1 driver, socket and all, and counted as such.
import http2 from 'node:http2';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { ConnectionDriver, DriverContext, SendDone } from './driver.js';
import { now } from '../metrics/clock.js';
import { errorCode } from './error-code.js';
import { http2CodeName, refusedStreamCode } from './http2-codes.js';
import { requestHeaders } from './http2-headers.js';
import { countedOpener } from './counted-opener.js';
import { socketOpener, type SocketOpener } from './socket-opener.js';
import { defaultPort, httpTarget } from './target-port.js';

const { NGHTTP2_CANCEL, NGHTTP2_NO_ERROR } = http2.constants;
/**
 * A refused stream (REFUSED_STREAM, or past a GOAWAY's last stream id) was never processed, so
 * it is sent again (RFC 9113 section 8.7), as browsers and h2load do; a server that refuses it
 * this often is answering no one, and the request fails.
 */
const refusalsBeforeFailing = 3;
const streamWindowBytes = 6 * 1024 * 1024;
const connectionWindowBytes = 15 * 1024 * 1024;
/** Used when the scenario sets no request timeout: a connect must not hang for ever. */
const connectTimeoutMs = 30_000;

interface Waiting {
  done: SendDone;
  sentAt: number;
  /** Times the server refused this request's stream so far. */
  refused: number;
}

interface Connection {
  socket: Socket;
  session: http2.ClientHttp2Session | undefined;
  /** The server's SETTINGS arrived: streams can be opened up to `limit`. */
  ready: boolean;
  limit: number;
  inFlight: number;
  /** Why the connection ended (a GOAWAY, the socket closing), for the streams it took down. */
  lost: string | undefined;
  /** A GOAWAY arrived: the open streams finish, new ones go to a new connection. */
  draining: boolean;
  /** The first GOAWAY's last stream id: streams above it were never processed (RFC 9113 section 6.8). */
  lastStreamId: number;
}

/** The HTTP/1.1 driver `auto` falls back on, over sockets from `opener`. */
export type Http1Driver = (context: DriverContext, opener: SocketOpener) => ConnectionDriver;

export function createHttp2Driver(context: DriverContext, http1: Http1Driver): ConnectionDriver {
  const { scenario, recorder, tls, localAddress, onClosed } = context;
  const target = httpTarget(context.target);
  const settings = scenario.http;
  const auto = settings.version === 'auto';
  const origin = target.origin;
  const host = target.hostname.replace(/^\[|\]$/g, '');
  const port = defaultPort(target);
  const opener: SocketOpener = socketOpener(recorder, tls && { ...tls, options: { ...tls.options, ALPNProtocols: auto ? ['h2', 'http/1.1'] : ['h2'] } });
  const headers = requestHeaders(settings, target);
  const body = settings.body === undefined ? undefined : Buffer.from(settings.body);
  const waiting: Waiting[] = [];
  let current: Connection | undefined;
  let closing = false;
  /** `auto` met HTTP/1.1: every request from then on goes through this driver. */
  let fallback: ConnectionDriver | undefined;

  const fallBack = (handed: Socket | undefined): ConnectionDriver => {
    fallback = http1(context, countedOpener(socketOpener(recorder, tls), recorder, handed));
    for (const request of waiting.splice(0)) fallback.send(request.done, request.sentAt);
    return fallback;
  };
  // No ALPN without TLS: `auto` on http:// is HTTP/1.1 (h2c needs http.version: 2).
  if (auto && !tls) fallBack(undefined);

  function connect(): Connection {
    const { socket, readyEvent } = opener.open({ host, port, localAddress });
    // Without it Nagle's algorithm holds small frames back for the peer's delayed ACK (40 ms).
    socket.setNoDelay(true);
    const connection: Connection = {
      socket,
      session: undefined,
      ready: false,
      limit: 0,
      inFlight: 0,
      lost: undefined,
      draining: false,
      lastStreamId: Number.MAX_SAFE_INTEGER,
    };
    current = connection;
    const timer = setTimeout(
      () => socket.destroy(Object.assign(new Error('connect timeout'), { code: 'connect_timeout' })),
      settings.timeout || connectTimeoutMs,
    );
    socket.on('error', (error: Error) => {
      clearTimeout(timer);
      if (connection.session) return;
      recorder.count('connectionsFailed');
      ended(connection, errorCode(error));
    });
    socket.once(readyEvent, () => {
      clearTimeout(timer);
      if (closing || current !== connection) {
        socket.destroy();
        return;
      }
      if (auto && (socket as TLSSocket).alpnProtocol !== 'h2') {
        current = undefined;
        recorder.count('connectionsHttp1');
        fallBack(socket);
        return;
      }
      recorder.count('connectionsHttp2');
      startSession(connection);
    });
    return connection;
  }

  function startSession(connection: Connection): void {
    const session = http2.connect(origin, {
      createConnection: () => connection.socket,
      // HTTP/2's default windows (64 KiB per stream and for the whole connection) would cap a
      // connection at 64 KiB per round trip: take Chrome's (6 MiB per stream, 15 MiB in all).
      settings: { enablePush: false, initialWindowSize: streamWindowBytes },
      // Node's 10 MiB default of unacknowledged frames is too little for thousands of streams in flight.
      maxSessionMemory: 1000,
    });
    connection.session = session;
    session.once('connect', () => session.setLocalWindowSize(connectionWindowBytes));
    session.on('error', (error: Error) => (connection.lost ??= errorCode(error)));
    session.on('remoteSettings', (remote: http2.Settings) => {
      const serverMax = remote.maxConcurrentStreams ?? Number.MAX_SAFE_INTEGER;
      recorder.peak('serverMaxStreams', serverMax);
      connection.limit = Math.min(settings.streams, serverMax);
      connection.ready = true;
      pump();
    });
    session.on('goaway', (code: number, lastStreamId: number) => {
      recorder.count('goaways');
      recorder.peak('goawayLastStreamId', lastStreamId);
      // node:http2 ends the session at a GOAWAY carrying an error, taking the open streams down
      // with it: they fail with the GOAWAY's code (the server reset none of them).
      if (code !== NGHTTP2_NO_ERROR) {
        connection.lost = `h2_goaway_${http2CodeName(code)}`;
        recorder.error(connection.lost);
      }
      // A server may send several (a notice, then the final one: RFC 9113 section 6.8); the first one moves the load on.
      if (connection.draining) return;
      connection.lost ??= 'h2_goaway';
      connection.draining = true;
      connection.lastStreamId = lastStreamId;
      if (current === connection) current = undefined;
      if (waiting.length > 0) connect();
    });
    session.once('close', () => ended(connection, connection.lost ?? 'socket_closed'));
  }

  /** The connection is gone: whoever waited for it fails, and a workload holding it is told. */
  function ended(connection: Connection, code: string): void {
    connection.lost ??= code;
    const wasCurrent = current === connection;
    if (wasCurrent) {
      current = undefined;
      if (!connection.ready) for (const request of waiting.splice(0)) request.done(code, false);
      else if (waiting.length > 0 && !closing) connect();
    }
    if ((wasCurrent || connection.draining) && !closing) onClosed(context.connection, code);
  }

  function pump(): void {
    const connection = current;
    if (!connection?.ready) return;
    while (waiting.length > 0 && connection.inFlight < connection.limit) startStream(connection, waiting.shift()!);
  }

  function startStream(connection: Connection, request: Waiting): void {
    const { done } = request;
    const session = connection.session!;
    connection.inFlight++;
    recorder.peak('streamsPeakPerConn', connection.inFlight);
    const stream = session.request(headers, { endStream: body === undefined });
    let status = 0;
    let complete = false;
    let timedOut = false;
    stream.on('response', (response) => (status = Number(response[':status'])));
    stream.on('data', ignore);
    stream.on('end', () => (complete = true));
    // What went wrong is read from rstCode at 'close'.
    stream.on('error', ignore);
    if (settings.timeout > 0) {
      stream.setTimeout(settings.timeout, () => {
        timedOut = true;
        stream.close(NGHTTP2_CANCEL);
      });
    }
    stream.once('close', () => {
      connection.inFlight--;
      if (complete && stream.rstCode === NGHTTP2_NO_ERROR) done(status >= 400 ? `http_${status}` : null, true, now());
      else if ((stream.rstCode === refusedStreamCode || unprocessed(connection, stream)) && !timedOut) refused(request);
      else done(timedOut ? 'timeout' : failure(connection, stream.rstCode), false);
      pump();
    });
    if (body !== undefined) stream.end(body);
  }

  /** The stream came after the GOAWAY's last stream id (or never got an id): the server never processed it. */
  function unprocessed(connection: Connection, stream: http2.ClientHttp2Stream): boolean {
    return connection.draining && (stream.id === undefined || stream.id > connection.lastStreamId);
  }

  /** Counted, and sent again first in line (on a new connection after a GOAWAY), or failed after too many refusals. */
  function refused(request: Waiting): void {
    recorder.count('streamsRefused');
    if (++request.refused >= refusalsBeforeFailing || closing) {
      request.done(`h2_rst_${http2CodeName(refusedStreamCode)}`, false);
      return;
    }
    waiting.unshift(request);
    if (!current) connect();
  }

  function failure(connection: Connection, rstCode: number): string {
    // A stream taken down with its connection carries the connection's reason.
    if (connection.lost !== undefined && connection.lost !== 'h2_goaway') return connection.lost;
    recorder.count('streamResets');
    return `h2_rst_${http2CodeName(rstCode)}`;
  }

  function send(done: SendDone, sentAt = now()): void {
    if (fallback) {
      fallback.send(done, sentAt);
      return;
    }
    const connection = current ?? connect();
    const request: Waiting = { done, sentAt, refused: 0 };
    if (connection.ready && waiting.length === 0 && connection.inFlight < connection.limit) startStream(connection, request);
    else waiting.push(request);
  }

  return {
    open(done) {
      done(null);
    },
    send,
    // The connection opens with its first request, as over HTTP/1.1.
    establish: (done) => send(done),
    drop() {
      if (fallback) return fallback.drop();
      const dropped = current;
      current = undefined;
      dropped?.session?.destroy();
      dropped?.socket.destroy();
    },
    async close() {
      closing = true;
      if (fallback) await fallback.close();
      const last = current;
      current = undefined;
      last?.session?.destroy();
      last?.socket.destroy();
    },
  };
}

function ignore(): void {}
