// An undici connector over a SocketOpener, for every driver built on undici (http, and any
// other HTTP-based protocol): one place where connect and tls_handshake are timed, TLS
// sessions are resumed and failed connections are counted. It does what undici's own
// buildConnector does to a socket (no Nagle, TCP keep-alive probes, a connect timeout).
import { errors, type buildConnector } from 'undici';
import type { Recorder } from '../metrics/recorder.js';
import type { SocketOpener } from './socket-opener.js';

/** undici's default: TCP keep-alive probes after a minute idle. */
const keepAliveProbeDelayMs = 60_000;

export function undiciConnector(opener: SocketOpener, recorder: Recorder, timeoutMs: number): buildConnector.connector {
  return (options, callback) => {
    const defaultPort = options.protocol === 'https:' ? 443 : 80;
    const { socket, readyEvent, ready } = opener.open({
      host: options.hostname,
      port: Number(options.port) || defaultPort,
      localAddress: options.localAddress ?? undefined,
    });
    socket.setNoDelay(true).setKeepAlive(true, keepAliveProbeDelayMs);
    if (ready) {
      queueMicrotask(() => callback(null, socket));
      return;
    }
    let settled = false;
    const timer = setTimeout(() => {
      socket.destroy(new errors.ConnectTimeoutError(`connect timeout after ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once(readyEvent, () => {
      clearTimeout(timer);
      if (settled) return;
      settled = true;
      callback(null, socket);
    });
    socket.once('error', (error: Error) => {
      clearTimeout(timer);
      if (settled) return;
      settled = true;
      recorder.count('connectionsFailed');
      callback(error, null);
    });
  };
}
