// A WebSocket held without ws, for the workloads that only open, hold and drop connections
// (hold, reconnect-storm, connect): such a connection never sends a message, so ws's
// Receiver, Sender and event emitter (about 1.5 KB of heap each) buy it nothing. It does
// the upgrade itself on its socket (offering `websocket.subprotocols`, sending
// `websocket.headers`, checking Sec-WebSocket-Accept) and then keeps only the socket and a
// frame reader that answers pings, echoes the server's close and counts what ws counts: the
// same metrics (connect, tls_handshake, handshake) and the same error codes (`ws_http_503`,
// `handshake_timeout`, `ping_timeout`, `ws_close_1001` for a target's close), so a hold
// measures the same thing at half the client's memory. Everything a slice's connections
// share lives once per slice (HoldShared), and a connection's listeners are module functions.
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { TLSSocket } from 'node:tls';
import type { ConnectionDriver, DriverContext, SendDone } from './driver.js';
import { errorCode } from './error-code.js';
import { DeadlineQueue } from './deadlines.js';
import { PingWheel } from './ping-wheel.js';
import { socketOpener, type SocketOpener } from './socket-opener.js';
import { defaultPort, webSocketUrl } from './target-port.js';
import { parseTemplate } from '../scenario/template.js';
import type { WebSocketSettings } from '../scenario/protocol-settings.js';
import { connectionWorkloads, type StepScenario } from '../scenario/types.js';
import { rowOf } from './session/data-rows.js';
import { compileText, type Text } from './session/template.js';
import { SessionVars } from './session/vars.js';
import { checkUpgrade, closeFrame, headEnd, newKey, pingFrame, pongFrame, readFrames, upgradeHead, type FrameEvents } from './websocket-frames.js';

/** A response head longer than this is not an upgrade answer. */
const maxHeadBytes = 16 * 1024;

/** Where one target is reached, and the head of every upgrade sent to it (when no header is a template). */
interface TargetAddress {
  url: URL;
  host: string;
  port: number;
  fixedHead: string | undefined;
}

/**
 * How a connection is opened: to which target, from which source address, with which opener.
 * Plain connections with the same target and source share one (a held connection keeps one
 * field for all of it); a TLS connection has its own, for its opener's session.
 */
interface Route {
  readonly shared: HoldShared;
  readonly address: TargetAddress;
  readonly localAddress: string | undefined;
  readonly opener: SocketOpener;
}

class HoldShared {
  readonly settings: WebSocketSettings;
  private readonly headers: (readonly [string, Text])[];
  private readonly templated: boolean;
  /** Plain targets: one opener for every connection (TLS keeps one per connection, for its session). */
  readonly plainOpener: SocketOpener | undefined;
  readonly handshakes: DeadlineQueue<HeldWebSocket> | undefined;
  readonly pings: PingWheel<HeldWebSocket> | undefined;
  readonly pongs: DeadlineQueue<HeldWebSocket> | undefined;
  private readonly targets = new Map<string, TargetAddress>();
  private readonly routes = new Map<string, Route>();

  constructor(readonly context: DriverContext) {
    const settings = (this.settings = context.scenario.websocket);
    this.headers = Object.entries(settings.headers).map(([name, text]) => [name, compileText(text)] as const);
    this.templated = Object.values(settings.headers).some((text) => parseTemplate(text).some((part) => part.kind !== 'text'));
    this.plainOpener = context.tls ? undefined : socketOpener(context.recorder, undefined);
    this.handshakes = settings.handshakeTimeout > 0 ? new DeadlineQueue(settings.handshakeTimeout, (held, token) => held.handshakeExpired(token)) : undefined;
    this.pings = settings.pingInterval > 0 ? new PingWheel(settings.pingInterval, (held) => held.ping()) : undefined;
    this.pongs = settings.pingInterval > 0 ? new DeadlineQueue(settings.pingTimeout, (held, token) => held.pongExpired(token)) : undefined;
  }

  routeOf(target: URL, localAddress: string | undefined): Route {
    if (!this.plainOpener)
      return { shared: this, address: this.addressOf(target), localAddress, opener: socketOpener(this.context.recorder, this.context.tls) };
    const key = `${target.href} ${localAddress ?? ''}`;
    let route = this.routes.get(key);
    if (!route) this.routes.set(key, (route = { shared: this, address: this.addressOf(target), localAddress, opener: this.plainOpener }));
    return route;
  }

  private addressOf(target: URL): TargetAddress {
    let address = this.targets.get(target.href);
    if (!address) {
      const url = new URL(webSocketUrl(target, this.settings.path));
      const fixedHead = this.templated ? undefined : upgradeHead(url, this.settings.subprotocols, this.renderHeaders(0));
      // A bracketed IPv6 host is connected to without its brackets.
      address = { url, host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: defaultPort(url), fixedHead };
      this.targets.set(target.href, address);
    }
    return address;
  }

  /** The upgrade's head for `connection`, up to the key line. */
  headFor(address: TargetAddress, connection: number): string {
    return address.fixedHead ?? upgradeHead(address.url, this.settings.subprotocols, this.renderHeaders(connection));
  }

  /** websocket.headers, with the target URL's credentials as HTTP Basic (scenario/secrets.ts). */
  private renderHeaders(connection: number): Record<string, string> {
    const vars = new SessionVars(connection, rowOf(this.context.scenario.data, connection));
    return Object.fromEntries(this.headers.map(([name, render]) => [name, render(vars)]));
  }
}

/** The workloads that never send a message: their WebSockets can be held without ws. */
export function holdsOnly(scenario: StepScenario): boolean {
  // Compression asked for is part of what is measured: ws negotiates it.
  return connectionWorkloads.includes(scenario.workload) && !scenario.websocket.perMessageDeflate;
}

const sharedBySlice = new WeakMap<StepScenario, HoldShared>();
/** A held WebSocket; the slice's shared part is looked up by what every connection of a slice has in common. */
export function createHeldWebSocket(context: DriverContext): HeldWebSocket {
  let shared = sharedBySlice.get(context.scenario);
  const same = shared && shared.context.recorder === context.recorder && shared.context.tls === context.tls && shared.context.onClosed === context.onClosed;
  if (!shared || !same) sharedBySlice.set(context.scenario, (shared = new HoldShared(context)));
  return new HeldWebSocket(shared.routeOf(context.target, context.localAddress), context.connection);
}

/** Which connection a socket belongs to; undefined once the connection let go of it (dropped, given up on). */
const owner = Symbol('held');
type OwnedSocket = (Socket | TLSSocket) & { [owner]?: HeldWebSocket | undefined };

function onData(this: OwnedSocket, data: Buffer): void {
  this[owner]?.received(data);
}
function onError(this: OwnedSocket, error: Error): void {
  this[owner]?.failed(error);
}
function onClose(this: OwnedSocket): void {
  this[owner]?.closed();
}
function onReady(this: OwnedSocket): void {
  this[owner]?.connected();
}

const enum State {
  Idle,
  Upgrading,
  Open,
  Closing,
}

/** What an upgrade under way keeps, and drops once it is answered: an open connection needs none of it. */
class Upgrade {
  /** The response head as it arrives over several reads. */
  head: Buffer | undefined = undefined;
  constructor(
    readonly key: string,
    readonly startedAt: number,
    readonly done: (error: string | null) => void,
  ) {}
}

/** A frame that arrived in part: its bytes so far, or how much of a data payload is still to skip. */
interface FrameRest {
  rest: Buffer | undefined;
  skip: number;
}

// A held connection is this object and its socket: one field for how it goes (route), one for
// the upgrade while it runs, one for a frame left incomplete, and small integers.
export class HeldWebSocket implements ConnectionDriver, FrameEvents {
  private socket: OwnedSocket | undefined = undefined;
  private state = State.Idle;
  /** Counts opens and pings, so an expired deadline can tell whether it is still the current one. */
  private tokens = 0;
  /** The token of the ping whose pong is awaited; 0 when none. */
  private awaitingPong = 0;
  private upgrade: Upgrade | undefined = undefined;
  private partial: FrameRest | undefined = undefined;
  /** Why the open socket is going: the close code the server sent, or ping_timeout. */
  private lostAs: string | undefined = undefined;
  /** Set by close(): called once the socket is gone (a no-op when there was none to wait for). */
  private whenClosed: (() => void) | undefined = undefined;

  constructor(
    private readonly route: Route,
    private readonly connection: number,
  ) {}

  open(done: (error: string | null) => void): void {
    const { address, opener, localAddress, shared } = this.route;
    const { socket, readyEvent, ready } = opener.open({ host: address.host, port: address.port, localAddress });
    const owned = socket as OwnedSocket;
    owned[owner] = this;
    owned.on('data', onData);
    owned.on('error', onError);
    owned.on('close', onClose);
    this.socket = owned;
    this.state = State.Upgrading;
    this.partial = undefined;
    this.lostAs = undefined;
    this.upgrade = new Upgrade(newKey(), performance.now(), done);
    shared.handshakes?.add(this, ++this.tokens);
    // The upgrade is written once connected, not queued while connecting: a write queued on a
    // connecting socket adds a 'close' listener of its own until connect, and the recorder's
    // (added at connect) then grows the socket's listener array to 19 slots for good.
    if (ready) this.connected();
    else owned.once(readyEvent, onReady);
  }

  /** The socket connected (TLS: secured): the upgrade request goes out. */
  connected(): void {
    const upgrade = this.upgrade;
    if (this.state !== State.Upgrading || !upgrade) return;
    const { shared, address } = this.route;
    this.socket?.write(`${shared.headFor(address, this.connection)}Sec-WebSocket-Key: ${upgrade.key}\r\n\r\n`);
  }

  establish(done: SendDone): void {
    this.open((error) => done(error, error === null));
  }

  received(data: Buffer): void {
    if (this.state === State.Upgrading) {
      const upgrade = this.upgrade!;
      const head = upgrade.head ? Buffer.concat([upgrade.head, data]) : data;
      const end = headEnd(head);
      if (end < 0) {
        if (head.length > maxHeadBytes) this.giveUp('protocol_error');
        // A copy: the socket's read buffer is far larger than the head.
        else upgrade.head = Buffer.from(head);
        return;
      }
      const error = checkUpgrade(head.toString('latin1', 0, end), upgrade.key, this.route.shared.settings.subprotocols);
      if (error) {
        this.giveUp(error);
        return;
      }
      this.opened(upgrade);
      data = head.subarray(end + 4);
      if (data.length === 0) return;
    }
    if (this.state !== State.Open) return;
    const left = readFrames(data, this.partial?.rest, this.partial?.skip ?? 0, this);
    // Nearly always nothing is left over: an idle connection then keeps no reader state.
    this.partial = left.rest || left.skip > 0 ? left : undefined;
  }

  private opened(upgrade: Upgrade): void {
    const { shared } = this.route;
    this.state = State.Open;
    this.upgrade = undefined;
    shared.context.recorder.record('handshake', (performance.now() - upgrade.startedAt) * 1000);
    if (shared.pings) {
      this.awaitingPong = 0;
      shared.pings.add(this);
    }
    this.settle(upgrade.done, null);
  }

  /** Ends the upgrade `done` was waiting for: failed with `error`, or open. */
  private settle(done: ((error: string | null) => void) | undefined, error: string | null): void {
    if (!done) return;
    if (error) this.route.shared.context.recorder.count('connectionsFailed');
    done(error);
  }

  /** The upgrade failed (or the socket is dropped): it goes, and its own later error or close says nothing more. */
  private giveUp(error: string): void {
    const socket = this.socket;
    const done = this.upgrade?.done;
    if (this.state === State.Open) this.route.shared.pings?.remove(this);
    this.socket = undefined;
    this.state = State.Idle;
    this.upgrade = undefined;
    this.partial = undefined;
    if (socket) {
      socket[owner] = undefined;
      socket.destroy();
    }
    this.settle(done, error);
  }

  handshakeExpired(token: number): void {
    if (this.state === State.Upgrading && token === this.tokens) this.giveUp('handshake_timeout');
  }

  ping(): void {
    if (this.awaitingPong !== 0 || this.state !== State.Open) return;
    this.socket?.write(pingFrame());
    this.awaitingPong = ++this.tokens;
    this.route.shared.pongs?.add(this, this.awaitingPong);
  }

  // A peer that vanished without a FIN (a dead host, a silent proxy) never closes the
  // socket: only a ping that goes unanswered for pingTimeout reveals it.
  pongExpired(token: number): void {
    if (token !== this.awaitingPong || this.state !== State.Open) return;
    this.lostAs = 'ping_timeout';
    this.route.shared.context.recorder.error('ping_timeout');
    this.socket?.destroy();
  }

  pingReceived(payload: Buffer): void {
    if (this.state === State.Open) this.socket?.write(pongFrame(payload));
  }

  pongReceived(): void {
    this.awaitingPong = 0;
  }

  messageReceived(): void {
    // A held connection sends nothing, so nothing the server sends answers anything (as in the echo driver).
    this.route.shared.context.recorder.error('ws_unexpected_reply');
  }

  closeReceived(code: number): void {
    // The server's close is echoed (as ws does) and the socket ended; the target then closes it.
    this.lostAs ??= `ws_close_${code}`;
    this.state = State.Closing;
    this.socket?.end(closeFrame(code));
  }

  invalidFrame(): void {
    this.lostAs ??= 'ws_close_1002';
    this.state = State.Closing;
    this.socket?.destroy();
  }

  failed(error: Error): void {
    // After the upgrade the close that follows says what happened, as with ws (1006).
    if (this.state === State.Upgrading) this.giveUp(errorCode(error));
  }

  closed(): void {
    const wasOpen = this.state === State.Open || this.state === State.Closing;
    const done = this.upgrade?.done;
    this.socket = undefined;
    this.state = State.Idle;
    this.upgrade = undefined;
    this.partial = undefined;
    this.route.shared.pings?.remove(this);
    if (this.whenClosed) {
      this.whenClosed();
      return;
    }
    // Closed before the 101 without an error: what ws reports as a hang-up.
    if (!wasOpen) {
      this.settle(done, 'ECONNRESET');
      return;
    }
    this.route.shared.context.onClosed(this.connection, this.lostAs ?? 'ws_close_1006');
  }

  /** Closes the socket now, on purpose: no error and no reconnect come of it. */
  drop(): void {
    this.upgrade = undefined;
    this.giveUp('dropped');
  }

  send(done: SendDone): void {
    done('ws_hold_sends_nothing', false);
  }

  /** A clean close (1000); the socket is destroyed when the peer has not closed it within a second. */
  close(): Promise<void> {
    this.whenClosed = nothing;
    this.upgrade = undefined;
    this.route.shared.pings?.remove(this);
    const socket = this.socket;
    if (!socket) return Promise.resolve();
    if (this.state !== State.Open) {
      this.giveUp('closing');
      return Promise.resolve();
    }
    this.state = State.Closing;
    return new Promise((resolve) => {
      const timer = setTimeout(() => socket.destroy(), 1000);
      this.whenClosed = () => {
        clearTimeout(timer);
        resolve();
      };
      socket.end(closeFrame(1000));
    });
  }
}

const nothing = (): void => {};
