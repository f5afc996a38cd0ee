// A Socket.IO server (spoken by hand over ws: the Engine.IO 4 handshake, then the default
// namespace's CONNECT) that promises a heartbeat every 300 ms and never sends one, like a
// server whose event loop is stuck or a proxy that swallows frames: a client must give up
// after pingInterval + pingTimeout ('ping timeout'). Counts the namespace connections it made.
import http from 'node:http';
import { WebSocketServer } from 'ws';
import { closerFor, listenOnFreePort } from './listen.js';

export interface SilentSocketIoServer {
  url: string;
  counts: { connected: number };
  close(): Promise<void>;
}

export async function startSilentSocketIoServer(): Promise<SilentSocketIoServer> {
  const counts = { connected: 0 };
  const server = http.createServer((_req, res) => res.writeHead(400).end());
  const wss = new WebSocketServer({ server, path: '/socket.io/' });
  let sessions = 0;
  wss.on('connection', (ws) => {
    ws.on('error', () => {});
    const sid = `s${++sessions}`;
    ws.send(`0${JSON.stringify({ sid, upgrades: [], pingInterval: 300, pingTimeout: 200, maxPayload: 1_000_000 })}`);
    ws.on('message', (data: Buffer) => {
      // "40" (or "40{auth}"): CONNECT to the default namespace; accept it, then stay silent.
      if (!data.toString().startsWith('40')) return;
      ws.send(`40${JSON.stringify({ sid: `${sid}-ns` })}`);
      counts.connected++;
    });
  });
  const closeServer = closerFor(server);
  const port = await listenOnFreePort(server);
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    close: async () => {
      wss.close();
      await closeServer();
    },
  };
}
