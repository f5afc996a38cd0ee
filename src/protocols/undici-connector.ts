// An undici connector over a SocketOpener, for every driver built on undici (http, and any
// other HTTP-based protocol) and the lean HTTP/1.1 driver: one place where connect and tls_handshake are timed, TLS
// sessions are resumed and failed connections are counted. It does what undici's own
// buildConnector does to a socket (no Nagle, TCP keep-alive probes, a connect timeout).
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { buildConnector } from 'undici';
import { undiciParts } from './undici-client.js';
import type { Recorder } from '../metrics/recorder.js';
import type { SocketOpener, SocketRequest } from './socket-opener.js';

/** undici's default: TCP keep-alive probes after a minute idle. */
const keepAliveProbeDelayMs = 60_000;

export function undiciConnector(opener: SocketOpener, recorder: Recorder, timeoutMs: number): buildConnector.connector {
  return (options, callback) => {
    const defaultPort = options.protocol === 'https:' ? 443 : 80;
    const request = { host: options.hostname, port: Number(options.port) || defaultPort, localAddress: options.localAddress ?? undefined };
    // The callback comes after openHttpSocket has returned the socket.
    const socket = openHttpSocket(opener, recorder, timeoutMs, request, (error) => (error ? callback(error, null) : callback(null, socket)));
  };
}

/** Opens a socket for HTTP/1.1 as undici's connector does and returns it; `callback` is told once it can carry requests, or failed. */
export function openHttpSocket(
  opener: SocketOpener,
  recorder: Recorder,
  timeoutMs: number,
  request: SocketRequest,
  callback: (error: Error | null) => void,
): Socket | TLSSocket {
  const { socket, readyEvent, ready } = opener.open(request);
  socket.setNoDelay(true).setKeepAlive(true, keepAliveProbeDelayMs);
  if (ready) {
    queueMicrotask(() => callback(null));
    return socket;
  }
  let settled = false;
  const timer = setTimeout(() => {
    socket.destroy(new (undiciParts().errors.ConnectTimeoutError)(`connect timeout after ${timeoutMs} ms`));
  }, timeoutMs);
  socket.once(readyEvent, () => {
    clearTimeout(timer);
    if (settled) return;
    settled = true;
    callback(null);
  });
  socket.once('error', (error: Error) => {
    clearTimeout(timer);
    if (settled) return;
    settled = true;
    recorder.count('connectionsFailed');
    callback(error);
  });
  return socket;
}

export interface CountingConnector {
  connect: buildConnector.connector;
  /** Bytes written on the current socket since the last call: a request's head, for a GET without a body. */
  writtenSinceLast: () => number;
}

/** `connector`, remembering the socket it opened last, so each request's bytes can be read off it. */
export function countingConnector(connector: buildConnector.connector): CountingConnector {
  let socket: Socket | TLSSocket | undefined;
  let writtenBefore = 0;
  return {
    connect: (options, callback) =>
      connector(options, (...args) => {
        if (args[1]) {
          socket = args[1];
          writtenBefore = 0;
        }
        callback(...args);
      }),
    writtenSinceLast: () => {
      if (!socket) return 0;
      const written = socket.bytesWritten - writtenBefore;
      writtenBefore = socket.bytesWritten;
      return written;
    },
  };
}
