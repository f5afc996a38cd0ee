// An HTTP and WebSocket echo server that answers only requests carrying the expected
// Authorization header (401 otherwise, on upgrades too), and keeps the credential headers
// it saw, so a test can tell that sockcap sent them.

import http from 'node:http';
import { echoWebSockets } from './ws-echo-server.js';
import { closerFor, listenOnFreePort } from './listen.js';

export interface AuthServer {
  url: string;
  port: number;
  counts: { authorized: number; refused: number; upgrades: number; messages: number };
  /** Every Cookie header value received. */
  cookies: Set<string>;
  close(): Promise<void>;
}

export async function startAuthServer(authorization: string): Promise<AuthServer> {
  const counts = { authorized: 0, refused: 0, upgrades: 0, messages: 0 };
  const cookies = new Set<string>();
  const allowed = (req: http.IncomingMessage): boolean => {
    if (req.headers.cookie) cookies.add(req.headers.cookie);
    const ok = req.headers.authorization === authorization;
    counts[ok ? 'authorized' : 'refused']++;
    return ok;
  };
  const server = http.createServer((req, res) => {
    req.resume();
    if (allowed(req)) res.end('ok');
    else res.writeHead(401, { 'www-authenticate': 'Basic realm="test"' }).end();
  });
  const wss = echoWebSockets(server, { connected: () => counts.upgrades++, echoed: () => counts.messages++ });
  // ws answers upgrades itself; check the credentials before it sees them.
  const upgrade = server.listeners('upgrade');
  server.removeAllListeners('upgrade');
  server.on('upgrade', (req: http.IncomingMessage, socket, head) => {
    if (allowed(req)) for (const listener of upgrade) (listener as (...args: unknown[]) => void)(req, socket, head);
    else socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  });
  const closeServer = closerFor(server);
  const port = await listenOnFreePort(server);
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    counts,
    cookies,
    close: async () => {
      wss.close();
      await closeServer();
    },
  };
}
