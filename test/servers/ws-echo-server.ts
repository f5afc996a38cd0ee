// A plain `ws` echo server on its own http server: a non-sockcap WebSocket peer for
// benchmarks and tests.

import http from 'node:http';
import { WebSocketServer } from 'ws';
import { closerFor, listenOnFreePort } from './listen.js';

export interface WsEchoServer {
  /** http://127.0.0.1:port; WebSocket clients connect to ws://127.0.0.1:port on any path. */
  url: string;
  port: number;
  counts: { connections: number; messages: number };
  close(): Promise<void>;
}

export async function startWsEchoServer(): Promise<WsEchoServer> {
  const counts = { connections: 0, messages: 0 };
  const server = http.createServer((_req, res) => {
    res.writeHead(426, { connection: 'close' }).end();
  });
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  wss.on('connection', (ws) => {
    counts.connections++;
    ws.on('error', () => {});
    ws.on('message', (data, isBinary) => {
      counts.messages++;
      ws.send(data, { binary: isBinary });
    });
  });
  const closeServer = closerFor(server);
  const port = await listenOnFreePort(server);
  const close = async (): Promise<void> => {
    wss.close();
    await closeServer();
  };
  return { url: `http://127.0.0.1:${port}`, port, counts, close };
}
