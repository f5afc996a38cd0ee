// One WebSocket echo connection as held by the plain driver (websocket.ts): the least state
// per connection that the echo needs. A capacity run holds 100,000 of these per box, so
// what every connection of a slice has in common lives once per slice (SliceShared).
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { connect as netConnect, Socket, TcpNetConnectOpts } from 'node:net';
import { performance } from 'node:perf_hooks';
import type WebSocket from 'ws';
import type { ConnectionDriver, DriverContext, SendDone } from './driver.js';
import { errorCode } from './error-code.js';
import { DeadlineQueue } from './deadlines.js';
import { PingWheel } from './ping-wheel.js';
import { socketOpener } from './socket-opener.js';
import { webSocketUrl } from './target-port.js';
import { Reconnection } from '../metrics/reconnection.js';
import { reconnectDelay } from '../scenario/backoff.js';
import { parseTemplate } from '../scenario/template.js';
import type { StepScenario } from '../scenario/types.js';
import type { WebSocketSettings } from '../scenario/protocol-settings.js';
import { rowOf } from './session/data-rows.js';
import { compileText, type Text } from './session/template.js';
import { SessionVars } from './session/vars.js';
import { closeWebSocket, createConnectionOver, webSocketLibrary } from './websocket-client.js';

// A Buffer, text frames too: ws then masks it straight into the frame it writes, one
// buffer and one write() per message, where a string costs a conversion and a writev. ws
// masks into a copy and never writes to a Buffer it is given, so every connection of the
// thread shares one: 100k held connections must not each hold their own.
const payloads = new Map<number, Buffer>();
function payloadOf(size: number): Buffer {
  let payload = payloads.get(size);
  if (!payload) payloads.set(size, (payload = Buffer.alloc(size, 0x61)));
  return payload;
}
const textFrame = { binary: false };
const binaryFrame = { binary: true };

/**
 * What every connection of a slice shares, built once: a held connection keeps only its
 * own few fields. Its listeners are the module's functions below (no closure per
 * connection), and its timeouts and pings come from one queue and one wheel per slice
 * (no timer per connection).
 */
class SliceShared {
  readonly settings: WebSocketSettings;
  readonly payload: Buffer;
  readonly sendOptions: { binary: boolean };
  readonly headers: (readonly [string, Text])[];
  /** The upgrade headers when none is a template: one object for every connection. */
  readonly fixedHeaders: Record<string, string> | undefined;
  /** Plain targets: one opener for every connection (TLS keeps one per connection, for its session). */
  readonly plainConnection: ((options: TcpNetConnectOpts) => Socket) | undefined;
  readonly handshakes: DeadlineQueue<WebSocketConnection> | undefined;
  readonly pings: PingWheel<WebSocketConnection> | undefined;
  readonly pongs: DeadlineQueue<WebSocketConnection> | undefined;
  private readonly urls = new Map<string, string>();

  constructor(readonly context: DriverContext) {
    const { scenario, recorder, tls } = context;
    const settings = (this.settings = scenario.websocket);
    this.payload = payloadOf(settings.messageSize);
    this.sendOptions = settings.binary ? binaryFrame : textFrame;
    this.headers = Object.entries(settings.headers).map(([name, text]) => [name, compileText(text)] as const);
    const templated = Object.values(settings.headers).some((text) => parseTemplate(text).some((part) => part.kind !== 'text'));
    this.fixedHeaders = templated ? undefined : this.renderHeaders(0);
    this.plainConnection = tls ? undefined : createConnectionOver(socketOpener(recorder, undefined));
    this.handshakes =
      settings.handshakeTimeout > 0 ? new DeadlineQueue(settings.handshakeTimeout, (connection, token) => connection.handshakeExpired(token)) : undefined;
    this.pings = settings.pingInterval > 0 ? new PingWheel(settings.pingInterval, (connection) => connection.ping()) : undefined;
    this.pongs = settings.pingInterval > 0 ? new DeadlineQueue(settings.pingTimeout, (connection, token) => connection.pongExpired(token)) : undefined;
  }

  urlOf(target: URL): string {
    let url = this.urls.get(target.href);
    if (url === undefined) this.urls.set(target.href, (url = webSocketUrl(target, this.settings.path)));
    return url;
  }

  /** websocket.headers, with the target URL's credentials as HTTP Basic (scenario/secrets.ts). */
  renderHeaders(connection: number): Record<string, string> {
    if (this.fixedHeaders) return this.fixedHeaders;
    const vars = new SessionVars(connection, rowOf(this.context.scenario.data, connection));
    return Object.fromEntries(this.headers.map(([name, render]) => [name, render(vars)]));
  }
}

/** The slice's shared part, looked up by the context every connection of a slice has in common. */
const sharedBySlice = new WeakMap<StepScenario, SliceShared>();
export function sharedFor(context: DriverContext): SliceShared {
  let shared = sharedBySlice.get(context.scenario);
  const same = shared && shared.context.recorder === context.recorder && shared.context.tls === context.tls && shared.context.onClosed === context.onClosed;
  if (!shared || !same) sharedBySlice.set(context.scenario, (shared = new SliceShared(context)));
  return shared;
}

/** Which connection a ws belongs to, so one listener function serves every connection. */
const owner = Symbol('connection');
type OwnedWebSocket = WebSocket & { [owner]: WebSocketConnection };

const ownerOf = (ws: WebSocket): WebSocketConnection => (ws as OwnedWebSocket)[owner];

function onOpen(this: WebSocket): void {
  ownerOf(this).opened(this);
}
function onMessage(this: WebSocket, data: Buffer, isBinary: boolean): void {
  ownerOf(this).received(data, isBinary);
}
function onUnexpectedResponse(this: WebSocket, _request: ClientRequest, response: IncomingMessage): void {
  ownerOf(this).settleOpen(this, `ws_http_${response.statusCode ?? 0}`);
  this.terminate();
}
function onError(this: WebSocket, error: Error): void {
  ownerOf(this).failed(this, error);
}
function onClose(this: WebSocket, code: number): void {
  ownerOf(this).closed(this, code);
}
function onPong(this: WebSocket): void {
  ownerOf(this).awaitingPong = 0;
}

export class WebSocketConnection implements ConnectionDriver {
  private socket: WebSocket | undefined;
  private pending: SendDone | undefined;
  /** Ever opened: a later close is the target dropping a held connection. */
  /** The socket whose handshake completed, until it closes: only its close is a lost connection. */
  private live: WebSocket | undefined;
  private closing = false;
  private dropping: WebSocket | undefined;
  /** The socket whose handshake is under way, when it started, and who waits for it. */
  private opening: WebSocket | undefined;
  private openStartedAt = 0;
  private openDone: ((error: string | null) => void) | undefined;
  /** Counts opens and pings, so an expired deadline can tell whether it is still the current one. */
  private tokens = 0;
  /** A socket this side gave up on (handshake or pong too late): its own error says nothing more. */
  private abandoned: WebSocket | undefined;
  private dead: WebSocket | undefined;
  /** The token of the ping whose pong is awaited; 0 when none. */
  awaitingPong = 0;
  /** Connections lost since the last echo: the reconnect backoff's attempt. */
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private waitingSend: SendDone | undefined;
  /** A lost connection that a send brings back (under a holding workload, connection-control.ts counts it). */
  private readonly reconnection: Reconnection;
  private readonly url: string;
  private readonly localAddress: string | undefined;
  private readonly connection: number;
  private readonly createConnection: (options: TcpNetConnectOpts) => Socket;

  constructor(
    private readonly shared: SliceShared,
    context: DriverContext,
  ) {
    this.url = shared.urlOf(context.target);
    this.localAddress = context.localAddress;
    this.connection = context.connection;
    this.reconnection = new Reconnection(context.recorder);
    this.createConnection = shared.plainConnection ?? createConnectionOver(socketOpener(context.recorder, context.tls));
  }

  open(done: (error: string | null) => void): void {
    const { settings } = this.shared;
    const ws = new (webSocketLibrary())(this.url, settings.subprotocols, {
      headers: this.shared.renderHeaders(this.connection),
      perMessageDeflate: settings.perMessageDeflate,
      ...(this.localAddress ? { localAddress: this.localAddress } : {}),
      // ws only ever calls it with an options object
      createConnection: this.createConnection as unknown as typeof netConnect,
    }) as OwnedWebSocket;
    ws[owner] = this;
    this.socket = ws;
    this.opening = ws;
    this.openStartedAt = performance.now();
    this.openDone = done;
    this.shared.handshakes?.add(this, ++this.tokens);
    ws.on('open', onOpen);
    ws.on('message', onMessage);
    ws.on('unexpected-response', onUnexpectedResponse);
    ws.on('error', onError);
    ws.on('close', onClose);
  }

  /** Ends the handshake of `ws` once: failed with `error`, or open. */
  settleOpen(ws: WebSocket, error: string | null): void {
    if (this.opening !== ws) return;
    const done = this.openDone;
    this.opening = undefined;
    this.openDone = undefined;
    if (error) this.shared.context.recorder.count('connectionsFailed');
    done?.(error);
  }

  opened(ws: WebSocket): void {
    this.live = ws;
    this.shared.context.recorder.record('handshake', (performance.now() - this.openStartedAt) * 1000);
    if (this.shared.pings) {
      this.awaitingPong = 0;
      ws.on('pong', onPong);
      this.shared.pings.add(this);
    }
    this.settleOpen(ws, null);
  }

  handshakeExpired(token: number): void {
    const ws = this.opening;
    if (!ws || token !== this.tokens) return;
    this.abandoned = ws;
    this.settleOpen(ws, 'handshake_timeout');
    ws.terminate();
  }

  received(data: Buffer, isBinary: boolean): void {
    const { payload, settings } = this.shared;
    if (!this.pending) this.shared.context.recorder.error('ws_unexpected_reply');
    else if (isBinary === settings.binary && payload.equals(data)) this.finishPending(null, true);
    else this.finishPending('ws_unexpected_reply', false);
  }

  failed(ws: WebSocket, error: Error): void {
    // Closing a socket still connecting at the end of a step is not a failure of the target.
    if (this.closing || this.dropping === ws || this.abandoned === ws) return;
    const code = errorCode(error);
    this.settleOpen(ws, code);
    this.finishPending(code, false);
  }

  closed(ws: WebSocket, code: number): void {
    if (this.socket === ws) this.socket = undefined;
    this.shared.pings?.remove(this);
    if (this.closing || this.dropping === ws) return;
    this.failures++;
    const reason = this.dead === ws ? 'ping_timeout' : `ws_close_${code}`;
    this.settleOpen(ws, reason);
    this.finishPending(reason, false);
    // A handshake that failed is a failed attempt, not a loss: reporting it as one started a
    // second retry beside the workload's own, and each of those a third (a storm).
    if (this.live === ws) {
      this.live = undefined;
      this.reconnection.lost();
      this.shared.context.onClosed(this.connection, reason);
    }
  }

  // A peer that vanished without a FIN (a dead host, a silent proxy) never closes the
  // socket: only a ping that goes unanswered for pingTimeout reveals it.
  ping(): void {
    const ws = this.socket;
    if (this.awaitingPong !== 0 || !ws || ws.readyState !== ws.OPEN) return;
    ws.ping();
    this.awaitingPong = ++this.tokens;
    this.shared.pongs?.add(this, this.awaitingPong);
  }

  pongExpired(token: number): void {
    const ws = this.socket;
    if (token !== this.awaitingPong || !ws) return;
    this.dead = ws;
    this.shared.context.recorder.error('ping_timeout');
    ws.terminate();
  }

  private finishPending(error: string | null, responded: boolean): void {
    if (responded) this.failures = 0;
    const done = this.pending;
    this.pending = undefined;
    done?.(error, responded);
  }

  private reopen(): void {
    const done = this.waitingSend;
    this.waitingSend = undefined;
    if (!done || this.closing) return;
    this.reconnection.attempt();
    this.open((error) => {
      if (error) return done(error, false);
      this.reconnection.opened();
      this.sendNow(done);
    });
  }

  private sendNow(done: SendDone): void {
    this.pending = done;
    this.socket?.send(this.shared.payload, this.shared.sendOptions);
  }

  establish(done: SendDone): void {
    this.open((error) => done(error, error === null));
  }

  /** The handshake under way, if any, ends unanswered: its socket is going away on purpose. */
  private forgetOpening(): void {
    this.opening = undefined;
    this.openDone = undefined;
  }

  drop(): void {
    const ws = this.socket;
    if (!ws) return;
    this.forgetOpening();
    this.dropping = ws;
    this.socket = undefined;
    ws.terminate();
  }

  send(done: SendDone): void {
    if (this.socket && this.socket.readyState === this.socket.OPEN) {
      this.sendNow(done);
      return;
    }
    // The connection dropped under us: open a new one, counted as a reconnect, after the
    // backoff (with jitter) its failures call for, so a refusing target is not stormed.
    this.waitingSend = done;
    const delay = this.failures > 0 ? reconnectDelay(this.shared.context.scenario.reconnect, this.failures - 1) : 0;
    this.retryTimer = setTimeout(() => this.reopen(), delay);
  }

  close(): Promise<void> {
    this.closing = true;
    this.forgetOpening();
    clearTimeout(this.retryTimer);
    this.shared.pings?.remove(this);
    const waiting = this.waitingSend;
    this.waitingSend = undefined;
    waiting?.(null, false);
    return closeWebSocket(this.socket);
  }
}
