// One simulated connection's HTTP/2 over node:http2: one session, on one socket, carrying up
// to `streams` requests at once and never more than the server's
// SETTINGS_MAX_CONCURRENT_STREAMS: requests past that wait here, in order, and their wait is
// part of their latency. The first request waits for the server's SETTINGS (one round trip),
// since streams sent before the limit is known are refused by a server with a lower one.
// Both HTTP/2 drivers use it (plain load, http2.ts, and scripted sessions), so every workload
// counts GOAWAY (code, last stream id), refused streams and RST_STREAM codes the same way.
// With `auto`, a TLS connection whose ALPN picks HTTP/1.1 is handed back, socket and all.
// node:http2 rather than undici: see docs/http2.md.
import http2 from 'node:http2';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { now } from '../metrics/clock.js';
import type { HistogramBins } from '../metrics/histogram-bins.js';
import type { Recorder } from '../metrics/recorder.js';
import { errorCode } from './error-code.js';
import { http2CodeName, refusedStreamCode } from './http2-codes.js';
import { socketOpener, type SocketOpener } from './socket-opener.js';
import type { DriverContext } from './driver.js';
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
/** The open stream an exchange rides on, kept on the stream object itself so its listeners need no closure. */
const exchangeOf = Symbol('exchange');

type TaggedStream = http2.ClientHttp2Stream & { [exchangeOf]?: Http2Exchange };

/**
 * One request and what came back. A driver subclasses it with what it needs to finish the
 * request (a plain load its `SendDone`, a session its checks); the client fills the response.
 */
export abstract class Http2Exchange {
  /** Times the server refused this request's stream so far. */
  refused = 0;
  /** The response's :status, 0 until the headers came. */
  status = 0;
  /** With `keep`: the response headers and body chunks, for a caller that reads them. */
  responseHeaders: http2.IncomingHttpHeaders | undefined;
  chunks: Buffer[] | undefined;
  /** Whole-request deadline (performance clock, ms) while its stream is open. */
  deadline = 0;
  timedOut = false;
  /** Its (last) stream went on a connection that had carried one before: `latency_reused`, else `latency_fresh`. */
  reused = false;
  /** The stream and connection it rides on while open. */
  stream: http2.ClientHttp2Stream | undefined;
  connection: Connection | undefined;

  constructor(
    readonly headers: http2.OutgoingHttpHeaders,
    readonly body: Buffer | undefined,
    /** Keep the response's headers and body (a session checks them; a plain load only counts). */
    readonly keep: boolean,
    /** When the request was handed over (epoch ms): `latency_reused` and `latency_fresh` count from here. */
    readonly sentAt: number,
  ) {}

  /** Called once: `failure` null when the server answered (any status: `status` says which), else its error code. */
  abstract answered(failure: string | null, endedAt: number): void;
}

export interface Http2ClientOptions {
  /** The simulated connection: its target, TLS, source address, recorder and `http` settings (`streams`, `timeout`, `version`). */
  context: DriverContext;
  /** ALPN picked HTTP/1.1 (`http.version: auto`): the socket and the requests that waited for it, to go on over HTTP/1.1. */
  onHttp1(socket: Socket, waiting: Http2Exchange[]): void;
  /** The connection ended without being asked to (a GOAWAY, the socket closing). */
  onClosed(code: string): void;
}

export interface Connection {
  socket: Socket;
  session: http2.ClientHttp2Session | undefined;
  /** The server's SETTINGS arrived: streams can be opened up to `limit`. */
  ready: boolean;
  limit: number;
  inFlight: number;
  /** Streams started on it so far: the first is on a fresh connection, as the first request on a fresh HTTP/1.1 socket. */
  started: number;
  /** Why the connection ended (a GOAWAY, the socket closing), for the streams it took down. */
  lost: string | undefined;
  /** A GOAWAY arrived: the open streams finish, new ones go to a new connection. */
  draining: boolean;
  /** The first GOAWAY's last stream id: streams above it were never processed (RFC 9113 section 6.8). */
  lastStreamId: number;
  /** Open exchanges in the order they started, which is their deadlines' order. */
  open: Set<Http2Exchange>;
  deadlineTimer: NodeJS.Timeout | undefined;
}

export class Http2Client {
  private readonly opener: SocketOpener;
  private readonly recorder: Recorder;
  private readonly latencyReused: HistogramBins;
  private readonly latencyFresh: HistogramBins;
  private readonly target: URL;
  /** Requests in flight per connection at most (`http.streams`). */
  private readonly streams: number;
  /** Whole-request timeout, ms; 0: none. */
  private readonly timeoutMs: number;
  /** `http.version: auto`: offer h2 and http/1.1 by ALPN, and hand over a socket that got HTTP/1.1. */
  private readonly auto: boolean;
  private readonly waiting: Http2Exchange[] = [];
  private current: Connection | undefined;
  private closing = false;
  /** One 'close' listener for every stream (`this` is the stream): a request costs no closure. */
  private readonly streamClosed: (this: TaggedStream) => void;

  constructor(private readonly options: Http2ClientOptions) {
    const { tls, recorder, scenario } = options.context;
    this.recorder = recorder;
    this.latencyReused = recorder.histogram('latency_reused');
    this.latencyFresh = recorder.histogram('latency_fresh');
    this.target = httpTarget(options.context.target);
    this.streams = scenario.http.streams;
    this.timeoutMs = scenario.http.timeout;
    const auto = (this.auto = scenario.http.version === 'auto');
    const closed = (stream: TaggedStream): void => this.closed(stream);
    this.streamClosed = function (this: TaggedStream) {
      closed(this);
    };
    // node:http2 reads and writes the socket in native code.
    this.opener = socketOpener(recorder, tls && { ...tls, options: { ...tls.options, ALPNProtocols: auto ? ['h2', 'http/1.1'] : ['h2'] } }, true);
  }

  request(exchange: Http2Exchange): void {
    const connection = this.current ?? this.connect();
    if (connection.ready && this.waiting.length === 0 && connection.inFlight < connection.limit) this.startStream(connection, exchange);
    else this.waiting.push(exchange);
  }

  /** Ends the current connection; the next request opens a new one. */
  drop(): void {
    const dropped = this.current;
    this.current = undefined;
    dropped?.session?.destroy();
    dropped?.socket.destroy();
  }

  close(): void {
    this.closing = true;
    this.drop();
  }

  private connect(): Connection {
    const { recorder, auto, target } = this;
    const { socket, readyEvent } = this.opener.open({
      host: target.hostname.replace(/^\[|\]$/g, ''),
      port: defaultPort(target),
      localAddress: this.options.context.localAddress,
    });
    // Without it Nagle's algorithm holds small frames back for the peer's delayed ACK (40 ms).
    socket.setNoDelay(true);
    const connection: Connection = {
      socket,
      session: undefined,
      ready: false,
      limit: 0,
      inFlight: 0,
      started: 0,
      lost: undefined,
      draining: false,
      lastStreamId: Number.MAX_SAFE_INTEGER,
      open: new Set(),
      deadlineTimer: undefined,
    };
    this.current = connection;
    const timer = setTimeout(
      () => socket.destroy(Object.assign(new Error('connect timeout'), { code: 'connect_timeout' })),
      this.timeoutMs || connectTimeoutMs,
    );
    socket.on('error', (error: Error) => {
      clearTimeout(timer);
      if (connection.session) return;
      recorder.count('connectionsFailed');
      this.ended(connection, errorCode(error));
    });
    socket.once(readyEvent, () => {
      clearTimeout(timer);
      if (this.closing || this.current !== connection) {
        socket.destroy();
        return;
      }
      if (auto && (socket as TLSSocket).alpnProtocol !== 'h2') {
        this.current = undefined;
        recorder.count('connectionsHttp1');
        this.options.onHttp1(socket, this.waiting.splice(0));
        return;
      }
      recorder.count('connectionsHttp2');
      this.startSession(connection);
    });
    return connection;
  }

  private startSession(connection: Connection): void {
    const { recorder, streams } = this;
    const session = http2.connect(this.target.origin, {
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
      connection.limit = Math.min(streams, serverMax);
      connection.ready = true;
      this.pump();
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
      if (this.current === connection) this.current = undefined;
      if (this.waiting.length > 0) this.connect();
    });
    session.once('close', () => this.ended(connection, connection.lost ?? 'socket_closed'));
  }

  /** The connection is gone: whoever waited for it fails, and a workload holding it is told. */
  private ended(connection: Connection, code: string): void {
    connection.lost ??= code;
    clearTimeout(connection.deadlineTimer);
    const wasCurrent = this.current === connection;
    if (wasCurrent) {
      this.current = undefined;
      if (!connection.ready) for (const exchange of this.waiting.splice(0)) exchange.answered(code, now());
      else if (this.waiting.length > 0 && !this.closing) this.connect();
    }
    if ((wasCurrent || connection.draining) && !this.closing) this.options.onClosed(code);
  }

  private pump(): void {
    const connection = this.current;
    if (!connection?.ready) return;
    while (this.waiting.length > 0 && connection.inFlight < connection.limit) this.startStream(connection, this.waiting.shift()!);
  }

  private startStream(connection: Connection, exchange: Http2Exchange): void {
    connection.inFlight++;
    this.recorder.peak('streamsPeakPerConn', connection.inFlight);
    const stream = connection.session!.request(exchange.headers, { endStream: exchange.body === undefined }) as TaggedStream;
    stream[exchangeOf] = exchange;
    exchange.stream = stream;
    exchange.connection = connection;
    exchange.status = 0;
    exchange.timedOut = false;
    exchange.reused = connection.started++ > 0;
    this.recorder.count(exchange.reused ? 'requestsOnReusedSockets' : 'requestsOnFreshSockets');
    stream.on('response', onResponse);
    // What went wrong is read from rstCode at 'close'.
    stream.on('error', ignore);
    stream.on('close', this.streamClosed);
    if (exchange.keep) {
      exchange.chunks = [];
      stream.on('data', onData);
    } else {
      stream.resume();
    }
    if (this.timeoutMs > 0) this.watchDeadline(connection, exchange);
    if (exchange.body !== undefined) stream.end(exchange.body);
  }

  private closed(stream: TaggedStream): void {
    const exchange = stream[exchangeOf]!;
    stream[exchangeOf] = undefined;
    const connection = exchange.connection!;
    exchange.stream = undefined;
    exchange.connection = undefined;
    connection.inFlight--;
    connection.open.delete(exchange);
    const { rstCode } = stream;
    if (stream.readableEnded && rstCode === NGHTTP2_NO_ERROR) {
      const endedAt = now();
      (exchange.reused ? this.latencyReused : this.latencyFresh).record((endedAt - exchange.sentAt) * 1000);
      exchange.answered(null, endedAt);
    } else if ((rstCode === refusedStreamCode || unprocessed(connection, stream)) && !exchange.timedOut) this.refused(exchange);
    else exchange.answered(exchange.timedOut ? 'timeout' : this.failure(connection, rstCode), now());
    this.pump();
  }

  /**
   * Every request of a connection has the same timeout and starts in order, so the open ones
   * come due in the order of `open`: one timer per connection, set for the oldest.
   */
  private watchDeadline(connection: Connection, exchange: Http2Exchange): void {
    exchange.deadline = performance.now() + this.timeoutMs;
    connection.open.add(exchange);
    if (connection.deadlineTimer === undefined) this.armDeadline(connection, this.timeoutMs);
  }

  private armDeadline(connection: Connection, waitMs: number): void {
    connection.deadlineTimer = setTimeout(() => {
      connection.deadlineTimer = undefined;
      const at = performance.now();
      for (const exchange of connection.open) {
        if (exchange.deadline > at) return this.armDeadline(connection, exchange.deadline - at);
        connection.open.delete(exchange);
        exchange.timedOut = true;
        exchange.stream?.close(NGHTTP2_CANCEL);
      }
    }, waitMs);
    // A deadline alone never keeps a thread alive: the connection it watches does.
    connection.deadlineTimer.unref();
  }

  /** Counted, and sent again first in line (on a new connection after a GOAWAY), or failed after too many refusals. */
  private refused(exchange: Http2Exchange): void {
    this.recorder.count('streamsRefused');
    if (++exchange.refused >= refusalsBeforeFailing || this.closing) {
      exchange.answered(`h2_rst_${http2CodeName(refusedStreamCode)}`, now());
      return;
    }
    this.waiting.unshift(exchange);
    if (!this.current) this.connect();
  }

  private failure(connection: Connection, rstCode: number): string {
    // A stream taken down with its connection carries the connection's reason.
    if (connection.lost !== undefined && connection.lost !== 'h2_goaway') return connection.lost;
    this.recorder.count('streamResets');
    return `h2_rst_${http2CodeName(rstCode)}`;
  }
}

function onResponse(this: TaggedStream, headers: http2.IncomingHttpHeaders): void {
  const exchange = this[exchangeOf];
  if (!exchange) return;
  exchange.status = Number(headers[':status']);
  if (exchange.keep) exchange.responseHeaders = headers;
}

function onData(this: TaggedStream, chunk: Buffer): void {
  this[exchangeOf]?.chunks?.push(chunk);
}

/** The stream came after the GOAWAY's last stream id (or never got an id): the server never processed it. */
function unprocessed(connection: Connection, stream: http2.ClientHttp2Stream): boolean {
  return connection.draining && (stream.id === undefined || stream.id > connection.lastStreamId);
}

function ignore(): void {}
