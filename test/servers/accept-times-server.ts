// Records when each TCP connection arrives, to see the pace a client opens its connections
// at: echoes WebSocket messages, answers HTTP requests with a small 200, and holds
// text/event-stream open on /sse (sending nothing).
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { echoWebSockets } from './ws-echo-server.js';
import { closerFor, listenOnFreePort } from './listen.js';

export interface AcceptTimesServer {
  url: string;
  /** performance.now() at each accepted TCP connection, in order. */
  acceptedAt: number[];
  close(): Promise<void>;
}

export async function startAcceptTimesServer(): Promise<AcceptTimesServer> {
  const acceptedAt: number[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    if (req.url === '/sse') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.flushHeaders();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
  server.on('connection', () => acceptedAt.push(performance.now()));
  const wss = echoWebSockets(server, { connected: () => {}, echoed: () => {} });
  const closeServer = closerFor(server);
  const port = await listenOnFreePort(server);
  return {
    url: `http://127.0.0.1:${port}`,
    acceptedAt,
    close: async () => {
      wss.close();
      await closeServer();
    },
  };
}
