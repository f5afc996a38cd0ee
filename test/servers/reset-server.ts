// Resets (RST, not FIN) the connection on every Nth request, counted across all
// connections; answers the others with a keep-alive 200. Reproduces ECONNRESET mid-run.

import net from 'node:net';
import { closerFor, listenOnFreePort } from './listen.js';
import { okResponse, readRequests } from './request-reader.js';

export interface ResetServerOptions {
  /** Reset on request N, 2N, 3N...; 1 resets every request. */
  resetEvery: number;
}

export interface ResetServer {
  url: string;
  port: number;
  counts: { requests: number; resets: number };
  close(): Promise<void>;
}

export async function startResetServer(options: ResetServerOptions): Promise<ResetServer> {
  const counts = { requests: 0, resets: 0 };
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    readRequests(socket, () => {
      counts.requests++;
      if (counts.requests % options.resetEvery === 0) {
        counts.resets++;
        socket.resetAndDestroy();
      } else {
        socket.write(okResponse);
      }
    });
  });
  const close = closerFor(server);
  const port = await listenOnFreePort(server);
  return { url: `http://127.0.0.1:${port}`, port, counts, close };
}
