// How every ws-speaking driver (echo, session, subscribe) opens and closes its WebSocket:
// the upgrade carries `websocket.headers` (templates rendered from the connection's
// variables at each upgrade) and offers `websocket.subprotocols`; the socket under it comes
// from the connection's own opener (plain or TLS, timed as `connect` and `tls_handshake`).
import { createRequire } from 'node:module';
import type { connect as netConnect, Socket, TcpNetConnectOpts } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type WebSocket from 'ws';
import type { Recorder } from '../metrics/recorder.js';
import type { StepScenario } from '../scenario/types.js';
import { compileText } from './session/template.js';
import type { SessionVars } from './session/vars.js';
import { copiedReads, socketOpener, type SocketOpener } from './socket-opener.js';
import type { ClientTls } from './tls-options.js';

const require = createRequire(import.meta.url);
let webSocketClass: typeof WebSocket | undefined;

/**
 * ws's WebSocket, loaded when the first connection is made: the coordinator, which opens no
 * connection of a step, then does not load it at start-up (about 45 ms of CPU).
 */
export function webSocketLibrary(): typeof WebSocket {
  return (webSocketClass ??= require('ws') as typeof WebSocket);
}

export interface WebSocketDialContext {
  scenario: StepScenario;
  recorder: Recorder;
  tls: ClientTls | undefined;
  localAddress?: string | undefined;
}

/** Opens a new WebSocket to `url`; `onSocket` sees the TCP or TLS socket it goes over. */
export type WebSocketDial = (onSocket?: (socket: Socket | TLSSocket) => void) => WebSocket;

/**
 * The `createConnection` ws is given. ws hands over http.request's options: where to connect
 * and its handshake timeout (`timeout`, which only the socket can apply) matter here; the TLS
 * settings come from the scenario (a wss:// target gets the TLS socket). A plain socket's
 * reads are copied out of one buffer per thread (socket-opener.ts).
 */
export function createConnectionOver(opener: SocketOpener, onSocket?: (socket: Socket) => void): (options: TcpNetConnectOpts) => Socket {
  return (options) => {
    const { socket } = opener.open({
      host: options.host ?? 'localhost',
      port: Number(options.port),
      localAddress: options.localAddress,
      timeout: options.timeout,
      onread: copiedReads(() => socket),
    });
    onSocket?.(socket);
    return socket;
  };
}

/** Headers are compiled once here, per connection; each dial only renders them. */
export function webSocketDialer({ scenario, recorder, tls, localAddress }: WebSocketDialContext, url: string, vars: SessionVars): WebSocketDial {
  const settings = scenario.websocket;
  const headers = Object.entries(settings.headers).map(([name, text]) => [name, compileText(text)] as const);
  const opener = socketOpener(recorder, tls);
  return (onSocket) => {
    const createConnection = createConnectionOver(opener, onSocket);
    return new (webSocketLibrary())(url, settings.subprotocols, {
      // websocket.headers, with the target URL's credentials as HTTP Basic (scenario/secrets.ts).
      headers: Object.fromEntries(headers.map(([name, render]) => [name, render(vars)])),
      perMessageDeflate: settings.perMessageDeflate,
      handshakeTimeout: settings.handshakeTimeout || undefined,
      ...(localAddress ? { localAddress } : {}),
      // ws only ever calls it with an options object
      createConnection: createConnection as unknown as typeof netConnect,
    });
  };
}

/** A clean close (1000), or a terminate when the peer has not answered it within a second. */
export function closeWebSocket(ws: WebSocket | undefined): Promise<void> {
  if (!ws || ws.readyState === ws.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => ws.terminate(), 1000);
    ws.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    ws.close(1000);
  });
}
