// WebSocket echo over ws: one socket per connection, one message in flight at a time, so
// each echo that comes back answers the message sent before it, and is checked to be that
// message: anything else is `ws_unexpected_reply`, neither a message nor an RTT. A scenario
// with a `websocket.session` gets the session driver instead (websocket-session.ts). Compression stays off
// unless the scenario asks: permessage-deflate costs CPU and fragments memory, and it
// would measure zlib rather than sockets.
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import type { ConnectionDriver, DriverContext, SendDone } from './driver.js';
import { errorCode } from './error-code.js';
import { webSocketUrl } from './target-port.js';
import type { ProtocolModule } from './protocol.js';
import { webSocketSessionRules } from '../scenario/session-rules.js';
import { workloads } from '../scenario/types.js';
import { createSubscribeReceiver } from './websocket-subscribe.js';
import { hasWebSocketSession } from '../scenario/session-types.js';
import { reconnectDelay } from '../scenario/backoff.js';
import { createWebSocketSessionDriver } from './websocket-session.js';
import { rowOf } from './session/data-rows.js';
import { SessionVars } from './session/vars.js';
import { closeWebSocket, webSocketDialer } from './websocket-client.js';

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

export function createWebSocketDriver(context: DriverContext): ConnectionDriver {
  if (hasWebSocketSession(context.scenario.websocket.session)) return createWebSocketSessionDriver(context);
  const { scenario, target, recorder, onClosed } = context;
  const settings = scenario.websocket;
  const url = webSocketUrl(target, settings.path);
  const payload = payloadOf(settings.messageSize);
  const sendOptions = settings.binary ? binaryFrame : textFrame;
  let socket: WebSocket | undefined;
  let pending: SendDone | undefined;
  let opened = false;
  let closing = false;
  let dropping: WebSocket | undefined;
  /** Connections lost since the last echo: the reconnect backoff's attempt. */
  let failures = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  let waitingSend: SendDone | undefined;

  const finishPending = (error: string | null, responded: boolean): void => {
    if (responded) failures = 0;
    const done = pending;
    pending = undefined;
    done?.(error, responded);
  };

  // Templates in the upgrade headers, compiled once per connection and rendered at each upgrade.
  const dial = webSocketDialer(context, url, new SessionVars(context.connection, rowOf(scenario.data, context.connection)));

  function open(done: (error: string | null) => void): void {
    const startedAt = performance.now();
    let settled = false;
    const settle = (error: string | null): void => {
      if (settled) return;
      settled = true;
      if (error) recorder.count('connectionsFailed');
      done(error);
    };
    const ws = dial();
    socket = ws;
    ws.on('open', () => {
      opened = true;
      recorder.record('handshake', (performance.now() - startedAt) * 1000);
      if (settings.pingInterval > 0) watchPongs(ws);
      settle(null);
    });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!pending) recorder.error('ws_unexpected_reply');
      else if (isBinary === settings.binary && payload.equals(data)) finishPending(null, true);
      else finishPending('ws_unexpected_reply', false);
    });
    ws.on('unexpected-response', (_request, response) => {
      settle(`ws_http_${response.statusCode ?? 0}`);
      ws.terminate();
    });
    ws.on('error', (error) => {
      // Closing a socket still connecting at the end of a step is not a failure of the target.
      if (closing || dropping === ws) return;
      const code = errorCode(error);
      settle(code);
      finishPending(code, false);
    });
    ws.on('close', (code) => {
      if (socket === ws) socket = undefined;
      if (closing || dropping === ws) return;
      failures++;
      const reason = deadSockets.has(ws) ? 'ping_timeout' : `ws_close_${code}`;
      settle(reason);
      finishPending(reason, false);
      if (opened) onClosed(reason);
    });
  }

  // A peer that vanished without a FIN (a dead host, a silent proxy) never closes the
  // socket: only a ping that goes unanswered for pingTimeout reveals it.
  const deadSockets = new WeakSet<WebSocket>();
  function watchPongs(ws: WebSocket): void {
    let pongTimer: NodeJS.Timeout | undefined;
    const pingTimer = setInterval(() => {
      if (pongTimer) return;
      ws.ping();
      pongTimer = setTimeout(() => {
        deadSockets.add(ws);
        recorder.error('ping_timeout');
        ws.terminate();
      }, settings.pingTimeout);
    }, settings.pingInterval);
    ws.on('pong', () => {
      clearTimeout(pongTimer);
      pongTimer = undefined;
    });
    ws.once('close', () => {
      clearInterval(pingTimer);
      clearTimeout(pongTimer);
    });
  }

  function reopen(): void {
    const done = waitingSend;
    waitingSend = undefined;
    if (!done || closing) return;
    if (opened) recorder.count('reconnects');
    open((error) => (error ? done(error, false) : sendNow(done)));
  }

  function sendNow(done: SendDone): void {
    pending = done;
    socket?.send(payload, sendOptions);
  }

  return {
    open,
    establish: (done) => open((error) => done(error, error === null)),
    drop() {
      const ws = socket;
      if (!ws) return;
      dropping = ws;
      socket = undefined;
      ws.terminate();
    },
    send(done) {
      if (socket && socket.readyState === WebSocket.OPEN) {
        sendNow(done);
        return;
      }
      // The connection dropped under us: open a new one, counted as a reconnect, after the
      // backoff (with jitter) its failures call for, so a refusing target is not stormed.
      waitingSend = done;
      retryTimer = setTimeout(reopen, failures > 0 ? reconnectDelay(scenario.reconnect, failures - 1) : 0);
    },
    close() {
      closing = true;
      clearTimeout(retryTimer);
      const waiting = waitingSend;
      waitingSend = undefined;
      waiting?.(null, false);
      return closeWebSocket(socket);
    },
  };
}

export const webSocketProtocol: ProtocolModule = {
  section: 'websocket',
  servedOverHttp2: false,
  newcomers: false,
  transports: ['websocket'],
  urlSchemes: ['ws:', 'wss:', 'http:', 'https:'],
  rules: [...webSocketSessionRules],
  plan: (step) =>
    step.websocket.mode === 'subscribe'
      ? {
          kind: 'receive',
          label: 'protocol: websocket with websocket.mode: subscribe',
          workloads: ['closed'],
          workloadsWhy: 'clients wait for events',
          connectMetric: 'handshake',
          socketsPerConnection: 1,
          countsAs: 'messages',
          ownMetrics: [],
          receiver: createSubscribeReceiver,
          transport: 'websocket',
          pace: undefined,
          pathField: 'websocket.subscribePath',
        }
      : {
          kind: 'send',
          label: 'protocol: websocket',
          workloads,
          workloadsWhy: 'every workload sends messages',
          connectMetric: 'handshake',
          socketsPerConnection: 1,
          countsAs: 'messages',
          ownMetrics: [],
          driver: createWebSocketDriver,
          metric: 'rtt',
          inFlightPerConnection: 1,
          establishCountsRequest: false,
          payloadBytes: step.websocket.messageSize,
        },
};
