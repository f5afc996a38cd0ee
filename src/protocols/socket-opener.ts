// Opens the socket a driver speaks over, plain or TLS, and measures what opening it cost:
// `connect` (TCP) when the TCP handshake completes, `tls_handshake` from there to the end of
// the TLS handshake. Wire bytes are counted on the TCP socket, so TLS records (handshakes,
// alerts, padding) are counted as the kernel sent them. One opener per simulated connection:
// it keeps that connection's last TLS session and offers it on reconnect, as a browser does.
import { connect as netConnect, type OnReadOpts, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { MeteredSocket } from '../metrics/metered-socket.js';
import type { Recorder } from '../metrics/recorder.js';
import { connectionOptions, type ClientTls } from './tls-options.js';

export interface SocketRequest {
  host: string;
  port: number;
  localAddress?: string | undefined;
  /**
   * Idle timeout of the returned socket, as net.connect's `timeout`. ws times its opening
   * handshake by passing `timeout` to http.request, which only works when the socket its
   * `createConnection` returns applies it: pass it on from there.
   */
  timeout?: number | undefined;
  /**
   * Read a plain TCP socket by this callback into a reused buffer instead of 'data' events
   * (net's `onread`). A TLS socket, or one native code reads, still emits 'data'.
   */
  onread?: OnReadOpts | undefined;
}

export interface OpenedSocket {
  /** What HTTP is spoken over: the TLS socket for TLS targets, else the TCP socket. */
  socket: Socket | TLSSocket;
  /** The event after which `socket` can carry requests. */
  readyEvent: 'connect' | 'secureConnect';
  /** The socket is open already (handed over): `readyEvent` has fired. */
  ready?: boolean;
}

export interface SocketOpener {
  /** Starts connecting and returns at once; failures arrive as the socket's 'error'. */
  open(request: SocketRequest): OpenedSocket;
}

/** What a thread's plain sockets read by callback read into; each read is handled before the next. */
let threadReadBuffer: Buffer | undefined;

export function readBuffer(): Buffer {
  return (threadReadBuffer ??= Buffer.allocUnsafe(64 * 1024));
}

/**
 * `onread` for a plain socket whose reader listens for 'data' (node:http, ws): each read is
 * copied out of the thread's read buffer and emitted as 'data' at once, or pushed into the
 * stream when it is not flowing or still holds bytes (paused, or bytes put back with
 * unshift), so the order stays the stream's. net's own read path allocates 64 KiB and
 * schedules a tick for every read, which on an echo loop costs more than the copy.
 */
export function copiedReads(socket: () => Socket): OnReadOpts {
  const buffer = readBuffer();
  return {
    buffer,
    callback(bytes) {
      const reader = socket();
      const chunk = Buffer.from(buffer.subarray(0, bytes));
      if (reader.readableFlowing && reader.readableLength === 0) reader.emit('data', chunk);
      else reader.push(chunk);
      return true;
    },
  };
}

/**
 * `tls` undefined: plain TCP. `nativeReader`: what is spoken over the socket reads and writes
 * it in native code (an HTTP/2 session), out of sight of a metered socket's counting.
 */
export function socketOpener(recorder: Recorder, tls: ClientTls | undefined, nativeReader = false): SocketOpener {
  let session: Buffer | undefined;
  return {
    open({ host, port, localAddress, timeout, onread }) {
      const startedAt = performance.now();
      const options = { host, port, ...(localAddress ? { localAddress } : {}) };
      // A socket whose bytes JavaScript moves is counted as it moves them; under TLS or an
      // HTTP/2 session native code moves them, and the recorder reads it at every interval.
      const tcp = tls || nativeReader ? netConnect(options) : new MeteredSocket(recorder.meter, onread).connect(options);
      let connectedAt = 0;
      tcp.once('connect', () => {
        connectedAt = performance.now();
        recorder.record('connect', (connectedAt - startedAt) * 1000);
        recorder.trackSocket(tcp);
      });
      if (!tls) {
        if (timeout) tcp.setTimeout(timeout);
        return { socket: tcp, readyEvent: 'connect' };
      }

      // The TLS socket reports the TCP socket's errors too; without a listener here the
      // same error would also crash the worker as unhandled.
      tcp.on('error', () => {});
      // The TLS socket waits for the TCP connect itself; the ClientHello goes out right after.
      const secure = tlsConnect({ ...connectionOptions(tls, host, tls.resume ? session : undefined), socket: tcp });
      secure.once('secureConnect', () => {
        recorder.record('tls_handshake', (performance.now() - connectedAt) * 1000);
      });
      // TLS 1.3 sends session tickets after the handshake; each one replaces the last.
      if (tls.resume) secure.on('session', (ticket: Buffer) => (session = ticket));
      if (timeout) secure.setTimeout(timeout);
      return { socket: secure, readyEvent: 'secureConnect' };
    },
  };
}
