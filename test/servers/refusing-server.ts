// Accepts every TCP connection and resets it at once, remembering when each came: a service
// that is down behind a listening port. Tests read the gaps between a client's attempts.
import net from 'node:net';
import { closerFor, listenOnFreePort } from './listen.js';

export interface RefusingServer {
  url: string;
  port: number;
  /** performance.now() of every connection reset, in order. */
  attempts: number[];
  /** Connections still to let through unharmed (closed quietly after a moment): sockcap's reachability check before a run. */
  passNext: number;
  close(): Promise<void>;
}

export async function startRefusingServer(): Promise<RefusingServer> {
  const attempts: number[] = [];
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    if (refusing.passNext > 0) {
      refusing.passNext--;
      setTimeout(() => socket.end(), 200);
      return;
    }
    attempts.push(performance.now());
    socket.resetAndDestroy();
  });
  const close = closerFor(server);
  const port = await listenOnFreePort(server);
  const refusing: RefusingServer = { url: `http://127.0.0.1:${port}`, port, attempts, passNext: 0, close };
  return refusing;
}
