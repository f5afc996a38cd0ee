// A plain `ws` echo server on its own http server: a non-sockcap WebSocket peer for
// benchmarks and tests.

import http from 'node:http';
import type https from 'node:https';
import { WebSocketServer } from 'ws';
import { closerFor, listenOnFreePort } from './listen.js';

export interface WsEchoServer {
  /** http://127.0.0.1:port; WebSocket clients connect to ws://127.0.0.1:port on any path. */
  url: string;
  port: number;
  counts: { connections: number; messages: number };
  close(): Promise<void>;
}

/** Echoes every message of every WebSocket on `server`, with the same text or binary type. */
export function echoWebSockets(server: http.Server | https.Server, on: { connected(): void; echoed(data: Buffer, isBinary: boolean): void }): WebSocketServer {
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  wss.on('connection', (ws) => {
    on.connected();
    ws.on('error', () => {});
    ws.on('message', (data: Buffer, isBinary) => {
      on.echoed(data, isBinary);
      ws.send(data, { binary: isBinary });
    });
  });
  return wss;
}

export async function startWsEchoServer(): Promise<WsEchoServer> {
  const counts = { connections: 0, messages: 0 };
  const server = http.createServer((_req, res) => {
    res.writeHead(426, { connection: 'close' }).end();
  });
  const wss = echoWebSockets(server, {
    connected: () => counts.connections++,
    echoed: () => counts.messages++,
  });
  const closeServer = closerFor(server);
  const port = await listenOnFreePort(server);
  const close = async (): Promise<void> => {
    wss.close();
    await closeServer();
  };
  return { url: `http://127.0.0.1:${port}`, port, counts, close };
}
