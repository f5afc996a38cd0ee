// An http.Agent of one client's own, for clients that speak through node:http (socket.io-
// client's polling and its WebSocket upgrade): its sockets come from the SocketOpener
// (connect and TLS timed, wire bytes counted), and every request sent over them is counted
// with its header bytes, as polling's are. Only documented APIs: the agent overrides
// `createConnection`; each request is seen on the `http.client.request.start` diagnostics
// channel and belongs to this client when its socket is one the agent opened; a request's
// head is the bytes written on its socket since the previous answer there (HTTP/1.1 sends
// one request at a time per socket), less its Content-Length.
import { subscribe } from 'node:diagnostics_channel';
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Recorder } from '../metrics/recorder.js';
import { responseHeadBytes } from './poll.js';
import { socketOpener } from './socket-opener.js';
import type { ClientTls } from './tls-options.js';

/** The recorder of the client that opened each socket. */
const owners = new WeakMap<Duplex, Recorder>();
/** Bytes written on a socket up to the end of its last answered request. */
const answeredUpTo = new WeakMap<Duplex, number>();

function count(request: http.ClientRequest, socket: Duplex): void {
  const recorder = owners.get(socket);
  if (!recorder) return;
  const counted = (response: http.IncomingMessage): void => {
    const written = (socket as Socket).bytesWritten;
    const body = Number(request.getHeader('content-length') ?? 0);
    recorder.count('requests');
    recorder.count(
      'headerBytes',
      written - (answeredUpTo.get(socket) ?? 0) - body + responseHeadBytes(response.statusCode ?? 0, response.statusMessage ?? '', response.rawHeaders),
    );
    answeredUpTo.set(socket, written);
  };
  request.once('response', counted);
  request.once('upgrade', counted);
}

subscribe('http.client.request.start', (message) => {
  const { request } = message as { request: http.ClientRequest };
  // The socket is usually assigned by the time the request is sent; a queued one gets it later.
  if (request.socket) count(request, request.socket);
  else request.once('socket', (socket: Duplex) => count(request, socket));
});

type Open = (options: { host?: string | null; port?: number | string | null }) => Duplex;

// One class for every client, defined once: a class made per client gave each agent a shape
// of its own, and node:http's Agent code, called with thousands of shapes, ran megamorphic
// (Agent.addRequest was the costliest frame opening Socket.IO clients over polling).
class CountingHttpAgent extends http.Agent {
  constructor(private readonly open: Open) {
    super({ keepAlive: true });
  }

  override createConnection(options: { host?: string | null; port?: number | string | null }): Duplex {
    return this.open(options);
  }
}

class CountingHttpsAgent extends https.Agent {
  constructor(private readonly open: Open) {
    super({ keepAlive: true });
  }

  override createConnection(options: { host?: string | null; port?: number | string | null }): Duplex {
    return this.open(options);
  }
}

export function countingAgent(recorder: Recorder, tls: ClientTls | undefined, localAddress: string | undefined): http.Agent {
  const opener = socketOpener(recorder, tls);
  const open: Open = (options) => {
    const { socket } = opener.open({ host: options.host ?? 'localhost', port: Number(options.port), localAddress });
    owners.set(socket, recorder);
    return socket;
  };
  return tls ? new CountingHttpsAgent(open) : new CountingHttpAgent(open);
}
