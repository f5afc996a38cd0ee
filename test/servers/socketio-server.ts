// A Socket.IO server (the socket.io package, version 4 or 3) with what the built-in target lacks: a `/chat`
// namespace that wants the auth payload { token: "letmein" } and the query room=lobby, acks
// `echo`, and emits `news` ({ "seq", "publishedAt" }) 20 times a second; the default
// namespace refuses everyone, and any other namespace does not exist. It counts the requests it gets.
import http from 'node:http';
import { Server } from 'socket.io';
import { createRequire } from 'node:module';
import { closerFor, listenOnFreePort } from './listen.js';

// socket.io 3 (installed as socket.io-v3) ships types for require only; its server API is 4's for everything used here.
const { Server: ServerV3 } = createRequire(import.meta.url)('socket.io-v3') as {
  Server: new (server: http.Server, options: { serveClient: boolean }) => Server;
};

export interface SocketIoTestServer {
  url: string;
  /** HTTP requests received so far, WebSocket upgrades included. */
  requests(): number;
  /** The `x-team` header of each connection's handshake, '' when it had none. */
  teams: string[];
  close(): Promise<void>;
}

/** `version`: the major version of the socket.io package serving (3 or 4: the two the Engine.IO 4 protocol covers). */
export async function startSocketIoServer(version: 3 | 4 = 4): Promise<SocketIoTestServer> {
  const httpServer = http.createServer();
  const server = version === 3 ? new ServerV3(httpServer, { serveClient: false }) : new Server(httpServer, { serveClient: false });
  let requests = 0;
  httpServer.on('request', () => requests++);
  httpServer.on('upgrade', () => requests++);
  server.of('/').use((_socket, next) => next(new Error('the default namespace is closed')));
  const chat = server.of('/chat');
  const teams: string[] = [];
  chat.use((socket, next) => {
    const team = socket.handshake.headers['x-team'];
    teams.push(typeof team === 'string' ? team : '');
    const auth = socket.handshake.auth as { token?: unknown };
    if (auth.token !== 'letmein' || socket.handshake.query.room !== 'lobby') next(new Error('not authorized'));
    else next();
  });
  chat.on('connection', (socket) => {
    socket.on('echo', (data: unknown, ack: unknown) => {
      if (typeof ack === 'function') (ack as (reply: unknown) => void)(data);
    });
  });
  let seq = 0;
  const timer = setInterval(() => chat.emit('news', { seq: ++seq, publishedAt: Date.now() }), 50);
  const closeServer = closerFor(httpServer);
  const port = await listenOnFreePort(httpServer);
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    teams,
    close: async () => {
      clearInterval(timer);
      await server.close();
      await closeServer();
    },
  };
}
