// A keep-alive HTTP/1.1 server that closes each socket exactly `idleTimeoutMs` after its
// last response, without a `Keep-Alive: timeout` hint, so a client that reuses the socket
// just then sends into a closing connection: the keep-alive reset race.

import net from 'node:net';
import { closerFor, listenOnFreePort } from './listen.js';
import { okResponse, readRequests } from './request-reader.js';

export interface IdleCloseServer {
  url: string;
  port: number;
  /** `closes`: sockets this server closed for being idle. */
  counts: { requests: number; connections: number; closes: number };
  close(): Promise<void>;
}

export async function startIdleCloseServer(idleTimeoutMs: number): Promise<IdleCloseServer> {
  const counts = { requests: 0, connections: 0, closes: 0 };
  const server = net.createServer((socket) => {
    counts.connections++;
    socket.on('error', () => {});
    let idleTimer: NodeJS.Timeout | undefined;
    socket.once('close', () => clearTimeout(idleTimer));
    readRequests(socket, () => {
      counts.requests++;
      clearTimeout(idleTimer);
      socket.write(okResponse);
      idleTimer = setTimeout(() => {
        counts.closes++;
        // destroy() as Node's own keep-alive timeout does: a FIN when nothing is unread,
        // and the kernel answers a request that arrives afterwards with a RST.
        socket.destroy();
      }, idleTimeoutMs);
    });
  });
  const close = closerFor(server);
  const port = await listenOnFreePort(server);
  return { url: `http://127.0.0.1:${port}`, port, counts, close };
}
