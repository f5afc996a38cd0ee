// The lean HTTP/1.1 keep-alive driver: for the plain request loop (one request in flight,
// keep-alive, no session), where undici's Client, request objects, parser callbacks and timers
// cost several times what sockcap itself does per request. The request is serialized once
// (http1-request.ts) and written as one Buffer; the answer is read by a small parser
// (http1-response.ts), on plain TCP by a read callback into one buffer per thread rather than
// 'data' events (a Buffer and a trip through the stream per read). Sockets come from the same
// opener and connector as undici's, and SocketReuse, error codes, keep-alive hints and lost
// connections follow the undici path.
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { ConnectionDriver, DriverContext, SendDone } from './driver.js';
import type { HttpSettings } from '../scenario/protocol-settings.js';
import { now } from '../metrics/clock.js';
import { wakeAt } from '../metrics/alarms.js';
import { DeadlineQueue } from './deadlines.js';
import { errorCode } from './error-code.js';
import { hintThreshold, SocketReuse, type RequestUse } from './socket-reuse.js';
import { openHttpSocket } from './undici-connector.js';
import { Http1ResponseParser, ResponseParseError, type ResponseHead } from './http1-response.js';
import { readBuffer, socketOpener, type SocketOpener, type SocketRequest } from './socket-opener.js';
import { countedOpener } from './counted-opener.js';
import { defaultPort, httpTarget } from './target-port.js';
import { http1RequestBytes } from './http1-request.js';

type Wire = Socket | TLSSocket;

/** undici's codes: a socket the client closes after an answer (idle, `Connection: close`) is an InformationalError. */
const closedByClientCode = 'http_invalid';
const destroyedCode = 'client_closed';
const otherSideClosedCode = 'socket_closed';

/** One queue of request deadlines per timeout, for every lean connection of the thread. */
const deadlines = new Map<number, DeadlineQueue<LeanHttp1Driver>>();

function deadlineQueue(timeoutMs: number): DeadlineQueue<LeanHttp1Driver> {
  let queue = deadlines.get(timeoutMs);
  if (!queue) deadlines.set(timeoutMs, (queue = new DeadlineQueue(timeoutMs, (driver, token) => driver.deadlinePassed(token))));
  return queue;
}

export class LeanHttp1Driver implements ConnectionDriver {
  private socket: Wire | undefined;
  private ready = false;
  private done: SendDone | undefined;
  private readonly use = {} as RequestUse;
  private readonly parser: Http1ResponseParser;
  private readonly reuse: SocketReuse;
  private readonly deadlines: DeadlineQueue<LeanHttp1Driver> | undefined;
  private readonly hintThreshold: number;
  private status = 0;
  /** The answer said the connection ends with it (or its keep-alive hint left no idle time). */
  private closeAfter = false;
  private idleMs: number;
  /** Epoch ms the socket went idle; Infinity while a request is on it. */
  private idleSince = Infinity;
  /** When the idle check is due (epoch ms); Infinity when none is waiting. */
  private idleCheckAt = Infinity;
  /** Which request a deadline was set for: one that has finished is no longer this. */
  private requestToken = 0;
  private bytesRead = 0;
  private bytesAtDeadline = 0;
  private closing = false;
  /** An established connection is held: its establishing request was answered. */
  private held = false;

  constructor(
    private readonly context: DriverContext,
    private readonly settings: HttpSettings,
    private readonly opener: SocketOpener,
    private readonly socketRequest: SocketRequest,
    private readonly request: Buffer,
  ) {
    this.reuse = new SocketReuse(context.recorder);
    this.parser = new Http1ResponseParser(
      (head) => this.headDone(head),
      () => this.complete(),
    );
    this.deadlines = settings.timeout > 0 ? deadlineQueue(settings.timeout) : undefined;
    this.hintThreshold = hintThreshold(settings);
    this.idleMs = settings.keepAliveTimeout;
  }

  open(done: (error: string | null) => void): void {
    done(null);
  }

  send(done: SendDone, sentAt = now()): void {
    this.done = done;
    this.reuse.begin(this.use, sentAt);
    this.status = 0;
    const socket = this.socket;
    // A socket idle past its keep-alive timeout is one undici would have closed by now.
    if (socket && this.ready && sentAt - this.idleSince >= this.idleMs) this.abandon(socket, closedByClientCode);
    if (!this.socket) this.connect();
    else if (this.ready) this.write();
  }

  establish(done: SendDone): void {
    this.send((error, responded, endedAt) => {
      this.held = responded;
      done(this.closing && !responded ? null : error, responded, endedAt);
    });
  }

  drop(): void {
    this.held = false;
    if (this.socket) this.abandon(this.socket, destroyedCode, true);
  }

  close(): Promise<void> {
    this.closing = true;
    const socket = this.socket;
    if (!socket) return Promise.resolve();
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    this.abandon(socket, destroyedCode, true);
    return closed;
  }

  /** A request deadline came due: time out the request unless it finished or its body is still arriving. */
  deadlinePassed(token: number): void {
    if (token !== this.requestToken || !this.done || !this.socket) return;
    // undici times the body from its last read, the head from the request.
    if (this.status !== 0 && this.bytesRead > this.bytesAtDeadline) {
      this.bytesAtDeadline = this.bytesRead;
      this.deadlines!.add(this, token);
      return;
    }
    this.abandon(this.socket, 'timeout');
  }

  private connect(): void {
    this.ready = false;
    this.parser.reset();
    this.closeAfter = false;
    this.idleMs = this.settings.keepAliveTimeout;
    this.idleSince = Infinity;
    this.bytesRead = 0;
    const buffer = readBuffer();
    const request = this.context.tls
      ? this.socketRequest
      : { ...this.socketRequest, onread: { buffer, callback: (bytes: number) => this.read(socket, buffer.subarray(0, bytes)) } };
    const socket: Wire = openHttpSocket(this.opener, this.context.recorder, this.settings.timeout || 30_000, request, (error) => {
      if (error) this.abandon(socket, errorCode(error));
      else if (socket === this.socket) {
        this.reuse.opened();
        this.ready = true;
        if (this.done) this.write();
      }
    });
    this.socket = socket;
    if (this.context.tls) socket.on('data', (chunk: Buffer) => this.read(socket, chunk));
    socket.on('error', (error: Error) => this.abandon(socket, errorCode(error)));
    socket.on('end', () => {
      if (socket === this.socket && !this.parser.end()) this.abandon(socket, otherSideClosedCode);
    });
    socket.on('close', () => this.abandon(socket, otherSideClosedCode));
  }

  private write(): void {
    this.reuse.writing(this.use);
    this.idleSince = Infinity;
    this.socket!.write(this.request);
    if (this.deadlines) {
      this.bytesAtDeadline = this.bytesRead;
      this.deadlines.add(this, ++this.requestToken);
    }
  }

  /** `chunk` is valid during the call only. Always true: reading goes on (a read callback's false would pause it). */
  private read(socket: Wire, chunk: Buffer): true {
    if (socket !== this.socket) return true;
    this.bytesRead += chunk.length;
    // Bytes with no request out are no answer to anything: undici's parser refuses them too.
    if (!this.done) {
      this.abandon(socket, 'http_parse_error');
      return true;
    }
    try {
      this.parser.feed(chunk);
    } catch (error) {
      if (!(error instanceof ResponseParseError)) throw error;
      this.abandon(socket, error.code);
    }
    return true;
  }

  private headDone(head: ResponseHead): void {
    if (!this.done) throw new ResponseParseError('http_parse_error', 'an answer with no request out');
    this.status = head.status;
    this.reuse.answered(this.use);
    // As undici: the idle timeout is min(hint − threshold, keepAliveTimeout); none left closes after this answer.
    if (!head.keepAlive) this.closeAfter = true;
    else if (head.keepAliveHintMs === null) this.idleMs = this.settings.keepAliveTimeout;
    else {
      const timeout = Math.min(head.keepAliveHintMs - this.hintThreshold, Math.max(this.settings.keepAliveTimeout, 1));
      if (timeout <= 0) this.closeAfter = true;
      else this.idleMs = timeout;
    }
  }

  private complete(): void {
    const done = this.done;
    if (!done) throw new ResponseParseError('http_parse_error', 'an answer with no request out');
    this.done = undefined;
    this.requestToken++;
    const endedAt = this.reuse.completed(this.use);
    if (this.closeAfter) this.abandon(this.socket!, closedByClientCode);
    else {
      this.idleSince = endedAt;
      this.watchIdle(endedAt + this.idleMs);
    }
    done(this.status >= 400 ? `http_${this.status}` : null, true, endedAt);
  }

  /** One alarm per connection at a time closes a socket left idle past its keep-alive timeout. */
  private watchIdle(at: number): void {
    if (at >= this.idleCheckAt) return;
    this.idleCheckAt = at;
    wakeAt(at, () => {
      if (this.idleCheckAt !== at) return;
      this.idleCheckAt = Infinity;
      const socket = this.socket;
      if (!socket || this.done || this.idleSince === Infinity) return;
      const due = this.idleSince + this.idleMs;
      if (now() >= due) this.abandon(socket, closedByClientCode);
      else this.watchIdle(due);
    });
  }

  /**
   * `socket` ends for `code`: the request on it fails with that code (a keep-alive race where
   * SocketReuse says so), and a held connection is reported lost unless sockcap let it go
   * (`letGo`: drop, close). Only the current socket counts; later calls for it do nothing.
   */
  private abandon(socket: Wire, code: string, letGo = false): void {
    if (socket !== this.socket) return;
    this.socket = undefined;
    this.ready = false;
    this.idleSince = Infinity;
    socket.destroy();
    const done = this.done;
    if (done) {
      this.done = undefined;
      this.requestToken++;
      done(this.reuse.failed(this.use, code), false);
    }
    if (letGo || this.closing || !this.held) return;
    this.held = false;
    this.context.onClosed(this.context.connection, code);
  }
}

/** The lean driver for one simulated connection of a step that `leanHttp1Serves`. */
export function createLeanHttp1Driver(context: DriverContext): ConnectionDriver {
  const target = httpTarget(context.target);
  const settings = context.scenario.http;
  const path = target.pathname === '/' && settings.path ? settings.path : target.pathname + target.search;
  // undici connects to an IPv6 literal without its brackets, and so does this.
  const host = target.hostname.startsWith('[') ? target.hostname.slice(1, -1) : target.hostname;
  const opener = countedOpener(socketOpener(context.recorder, context.tls), context.recorder);
  const socketRequest = { host, port: defaultPort(target), localAddress: context.localAddress };
  return new LeanHttp1Driver(context, settings, opener, socketRequest, http1RequestBytes(settings, target, path));
}
