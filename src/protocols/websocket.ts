// WebSocket echo over ws: one socket per connection, one message in flight at a time, so
// each echo that comes back answers the message sent before it. Compression stays off
// unless the scenario asks: permessage-deflate costs CPU and fragments memory, and it
// would measure zlib rather than sockets.
import { connect as netConnect, type NetConnectOpts, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import type { ConnectionDriver, DriverContext, SendDone } from './driver.js';
import { errorCode } from './error-code.js';

export function webSocketUrl(target: URL, path: string): string {
  const url = new URL(target.href);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  if (url.protocol === 'https:') url.protocol = 'wss:';
  if (url.pathname === '/' && path) url.pathname = path;
  return url.href;
}

export function createWebSocketDriver({ scenario, target, recorder }: DriverContext): ConnectionDriver {
  const settings = scenario.websocket;
  const url = webSocketUrl(target, settings.path);
  const payload = settings.binary ? Buffer.alloc(settings.messageSize, 0x61) : 'a'.repeat(settings.messageSize);
  let socket: WebSocket | undefined;
  let pending: SendDone | undefined;
  let opened = false;
  let closing = false;

  const finishPending = (error: string | null, responded: boolean): void => {
    const done = pending;
    pending = undefined;
    done?.(error, responded);
  };

  const createConnection = (options: NetConnectOpts): Socket => {
    const startedAt = performance.now();
    // ws hands over http.request's options, whose `path` is the URL path, not a socket path
    const tcp = netConnect({ ...options, path: undefined } as NetConnectOpts);
    tcp.once('connect', () => {
      recorder.record('connect', (performance.now() - startedAt) * 1000);
      recorder.trackSocket(tcp);
    });
    return tcp;
  };

  function open(done: (error: string | null) => void): void {
    const startedAt = performance.now();
    let settled = false;
    const settle = (error: string | null): void => {
      if (settled) return;
      settled = true;
      if (error) recorder.count('connectionsFailed');
      done(error);
    };
    const ws = new WebSocket(url, {
      perMessageDeflate: settings.perMessageDeflate,
      handshakeTimeout: settings.handshakeTimeout || undefined,
      // ws only ever calls it with an options object
      createConnection: createConnection as typeof netConnect,
    });
    socket = ws;
    ws.on('open', () => {
      opened = true;
      recorder.record('handshake', (performance.now() - startedAt) * 1000);
      settle(null);
    });
    ws.on('message', () => finishPending(null, true));
    ws.on('unexpected-response', (_request, response) => {
      settle(`ws_http_${response.statusCode ?? 0}`);
      ws.terminate();
    });
    ws.on('error', (error) => {
      const code = errorCode(error);
      settle(code);
      finishPending(code, false);
    });
    ws.on('close', (code) => {
      if (socket === ws) socket = undefined;
      if (!closing) {
        settle(`ws_close_${code}`);
        finishPending(`ws_close_${code}`, false);
      }
    });
  }

  function sendNow(done: SendDone): void {
    pending = done;
    socket?.send(payload);
  }

  return {
    open,
    send(done) {
      if (socket && socket.readyState === WebSocket.OPEN) {
        sendNow(done);
        return;
      }
      // The connection dropped under us: open a new one, counted as a reconnect.
      if (opened) recorder.count('reconnects');
      open((error) => (error ? done(error, false) : sendNow(done)));
    },
    close() {
      closing = true;
      const ws = socket;
      if (!ws || ws.readyState === WebSocket.CLOSED) return Promise.resolve();
      return new Promise((resolve) => {
        const timer = setTimeout(() => ws.terminate(), 1000);
        ws.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
        ws.close(1000);
      });
    },
  };
}
