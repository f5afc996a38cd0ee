// The lean HTTP/2 path's client (driver: http2-lean.ts): one simulated connection's requests
// over sockcap's own framing (http2-lean-connection.ts), with node:http2's path's rules
// (http2-client.ts) and counts: one connection at a time, the first request waiting for the
// server's SETTINGS, streams capped by `http.streams` and SETTINGS_MAX_CONCURRENT_STREAMS,
// refused streams sent again, GOAWAY and RST_STREAM counted by code, one deadline timer per
// connection.
import { now } from '../metrics/clock.js';
import type { HistogramBins } from '../metrics/histogram-bins.js';
import type { Recorder } from '../metrics/recorder.js';
import type { DriverContext, SendDone } from './driver.js';
import { errorCode } from './error-code.js';
import { encodeRequestBlock } from './hpack.js';
import { http2CodeName, refusedStreamCode } from './http2-codes.js';
import { headerFrames, h2Error } from './http2-frames.js';
import { requestHeaders } from './http2-headers.js';
import { LeanConnection, type LeanStream } from './http2-lean-connection.js';
import { socketOpener, type SocketOpener } from './socket-opener.js';
import { defaultPort, httpTarget } from './target-port.js';

const refusalsBeforeFailing = 3;
const connectTimeoutMs = 30_000;

export class LeanRequest implements LeanStream {
  id = 0;
  status = 0;
  received = 0;
  bodySent = 0;
  sendWindow = 0;
  refused = 0;
  reused = false;
  deadline = 0;
  timedOut = false;
  connection: Connection | undefined;
  constructor(
    readonly done: SendDone,
    readonly sentAt: number,
  ) {}
}

interface Connection {
  wire: LeanConnection;
  ready: boolean;
  limit: number;
  started: number;
  lost: string | undefined;
  draining: boolean;
  lastStreamId: number;
  /** Open requests in the order they started, which is their deadlines' order. */
  timed: Set<LeanRequest>;
  deadlineTimer: NodeJS.Timeout | undefined;
}

export class LeanClient {
  private readonly recorder: Recorder;
  private readonly opener: SocketOpener;
  private readonly latencyReused: HistogramBins;
  private readonly latencyFresh: HistogramBins;
  private readonly target: URL;
  private readonly frames: Buffer;
  private readonly body: Buffer | undefined;
  private readonly waiting: LeanRequest[] = [];
  private current: Connection | undefined;
  private closing = false;

  constructor(
    private readonly context: DriverContext,
    /** The connection ended without being asked to (a GOAWAY, the socket closing). */
    private readonly onClosed: (code: string) => void,
  ) {
    const { recorder, tls, scenario } = context;
    this.recorder = recorder;
    this.latencyReused = recorder.histogram('latency_reused');
    this.latencyFresh = recorder.histogram('latency_fresh');
    this.target = httpTarget(context.target);
    // JavaScript moves this path's bytes: a plain socket is metered as it moves them.
    this.opener = socketOpener(recorder, tls && { ...tls, options: { ...tls.options, ALPNProtocols: ['h2'] } });
    const headers = requestHeaders(scenario.http, this.target);
    const fields: [string, string][] = [
      [':method', String(headers[':method'])],
      [':scheme', this.target.protocol === 'https:' ? 'https' : 'http'],
      [':path', String(headers[':path'])],
      [':authority', this.target.host],
    ];
    for (const [name, value] of Object.entries(headers)) if (!name.startsWith(':')) fields.push([name, String(value)]);
    this.body = scenario.http.body === undefined ? undefined : Buffer.from(scenario.http.body);
    this.frames = headerFrames(encodeRequestBlock(fields), this.body === undefined);
  }

  request(request: LeanRequest): void {
    const connection = this.current ?? this.connect();
    if (connection.ready && this.waiting.length === 0 && connection.wire.open.size < connection.limit) this.start(connection, request);
    else this.waiting.push(request);
  }

  drop(): void {
    const dropped = this.current;
    this.current = undefined;
    dropped?.wire.destroy();
  }

  close(): void {
    this.closing = true;
    this.drop();
  }

  private connect(): Connection {
    const { recorder, target } = this;
    const { socket, readyEvent } = this.opener.open({
      host: target.hostname.replace(/^\[|\]$/g, ''),
      port: defaultPort(target),
      localAddress: this.context.localAddress,
    });
    socket.setNoDelay(true);
    const connection: Connection = {
      wire: new LeanConnection(
        socket,
        {
          settings: (max) => this.settings(connection, max),
          streamEnded: (stream, code) => this.streamEnded(connection, stream as LeanRequest, code),
          goaway: (code, last) => this.goaway(connection, code, last),
          failed: (code) => this.lose(connection, code),
        },
        this.frames,
        this.body,
      ),
      ready: false,
      limit: 0,
      started: 0,
      lost: undefined,
      draining: false,
      lastStreamId: Number.MAX_SAFE_INTEGER,
      timed: new Set(),
      deadlineTimer: undefined,
    };
    this.current = connection;
    let connected = false;
    const timer = setTimeout(
      () => socket.destroy(Object.assign(new Error('connect timeout'), { code: 'connect_timeout' })),
      this.context.scenario.http.timeout || connectTimeoutMs,
    );
    socket.on('error', (error: Error) => {
      clearTimeout(timer);
      if (!connected) recorder.count('connectionsFailed');
      connection.lost ??= errorCode(error);
    });
    socket.once(readyEvent, () => {
      clearTimeout(timer);
      if (this.closing || this.current !== connection) {
        socket.destroy();
        return;
      }
      connected = true;
      recorder.count('connectionsHttp2');
      socket.on('data', (chunk: Buffer) => connection.wire.read(chunk));
      connection.wire.start();
    });
    socket.once('close', () => {
      clearTimeout(timer);
      this.lose(connection, connection.lost ?? 'socket_closed');
      this.ended(connection, connection.lost ?? 'socket_closed');
    });
    return connection;
  }

  private settings(connection: Connection, serverMax: number): void {
    this.recorder.peak('serverMaxStreams', serverMax);
    connection.limit = Math.min(this.context.scenario.http.streams, serverMax);
    connection.ready = true;
    this.pump();
  }

  private goaway(connection: Connection, code: number, lastStreamId: number): void {
    this.recorder.count('goaways');
    this.recorder.peak('goawayLastStreamId', lastStreamId);
    const first = !connection.draining;
    if (first) {
      connection.draining = true;
      connection.lastStreamId = lastStreamId;
      if (this.current === connection) this.current = undefined;
    }
    // Streams past the last stream id were never processed: sent again (RFC 9113 section 8.7).
    for (const stream of [...connection.wire.open.values()]) {
      if (stream.id > connection.lastStreamId) this.streamEnded(connection, stream as LeanRequest, refusedStreamCode, true);
    }
    if (code !== h2Error.noError) {
      // As node:http2 does, a GOAWAY carrying an error ends the connection at once, with the requests on it.
      connection.lost = `h2_goaway_${http2CodeName(code)}`;
      this.recorder.error(connection.lost);
      this.lose(connection, connection.lost);
    } else connection.lost ??= 'h2_goaway';
    if (first && this.waiting.length > 0 && !this.closing) this.connect();
    this.finishDraining(connection);
  }

  /** The connection cannot go on: its open requests end with `code`, and the socket closes. */
  private lose(connection: Connection, code: string): void {
    connection.lost ??= code;
    for (const stream of [...connection.wire.open.values()]) this.streamEnded(connection, stream as LeanRequest, undefined, true);
    connection.wire.destroy();
  }

  private finishDraining(connection: Connection): void {
    if (connection.draining && connection.wire.open.size === 0) connection.wire.destroy();
  }

  private ended(connection: Connection, code: string): void {
    clearTimeout(connection.deadlineTimer);
    const wasCurrent = this.current === connection;
    if (wasCurrent) {
      this.current = undefined;
      if (!connection.ready) for (const request of this.waiting.splice(0)) request.done(code, false);
      else if (this.waiting.length > 0 && !this.closing) this.connect();
    }
    if ((wasCurrent || connection.draining) && !this.closing) this.onClosed(code);
  }

  private pump(): void {
    const connection = this.current;
    if (!connection?.ready) return;
    while (this.waiting.length > 0 && connection.wire.open.size < connection.limit && this.current === connection)
      this.start(connection, this.waiting.shift()!);
  }

  private start(connection: Connection, request: LeanRequest): void {
    request.connection = connection;
    request.timedOut = false;
    request.reused = connection.started++ > 0;
    this.recorder.count(request.reused ? 'requestsOnReusedSockets' : 'requestsOnFreshSockets');
    connection.wire.request(request);
    this.recorder.peak('streamsPeakPerConn', connection.wire.open.size);
    const timeoutMs = this.context.scenario.http.timeout;
    if (timeoutMs > 0) {
      request.deadline = performance.now() + timeoutMs;
      connection.timed.add(request);
      if (connection.deadlineTimer === undefined) this.armDeadline(connection, timeoutMs);
    }
    // Out of stream ids: the next request goes on a new connection.
    if (connection.wire.exhausted()) {
      connection.draining = true;
      if (this.current === connection) this.current = undefined;
    }
  }

  /**
   * A stream ended: answered, refused (sent again), or failed. `dropped`: this side took it
   * off the connection (a GOAWAY, the connection lost), and it is not open on the wire any more.
   */
  private streamEnded(connection: Connection, request: LeanRequest, resetCode: number | undefined, dropped = false): void {
    if (dropped) connection.wire.open.delete(request.id);
    connection.timed.delete(request);
    request.connection = undefined;
    if (resetCode === undefined && !dropped) {
      const endedAt = now();
      (request.reused ? this.latencyReused : this.latencyFresh).record((endedAt - request.sentAt) * 1000);
      request.done(request.status >= 400 ? `http_${request.status}` : null, true, endedAt);
    } else if ((resetCode === refusedStreamCode || (connection.draining && request.id > connection.lastStreamId)) && !request.timedOut) this.refused(request);
    else request.done(request.timedOut ? 'timeout' : this.failure(connection, resetCode), false);
    if (!dropped) {
      this.finishDraining(connection);
      this.pump();
    }
  }

  private armDeadline(connection: Connection, waitMs: number): void {
    connection.deadlineTimer = setTimeout(() => {
      // The expired timer stays set while the loop runs, so that requests started from it arm none.
      const at = performance.now();
      for (const request of connection.timed) {
        if (request.deadline > at) return this.armDeadline(connection, request.deadline - at);
        connection.timed.delete(request);
        request.timedOut = true;
        connection.wire.cancel(request);
        this.streamEnded(connection, request, h2Error.cancel);
      }
      connection.deadlineTimer = undefined;
    }, waitMs);
    connection.deadlineTimer.unref();
  }

  private refused(request: LeanRequest): void {
    this.recorder.count('streamsRefused');
    if (++request.refused >= refusalsBeforeFailing || this.closing) {
      request.done(`h2_rst_${http2CodeName(refusedStreamCode)}`, false);
      return;
    }
    this.waiting.unshift(request);
    if (!this.current && !this.closing) this.connect();
  }

  private failure(connection: Connection, resetCode: number | undefined): string {
    // A stream taken down with its connection carries the connection's reason.
    if (resetCode === undefined || (connection.lost !== undefined && connection.lost !== 'h2_goaway')) return connection.lost ?? 'socket_closed';
    this.recorder.count('streamResets');
    return `h2_rst_${http2CodeName(resetCode)}`;
  }
}
