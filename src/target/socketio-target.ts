// The built-in target's Socket.IO server (the maintained socket.io package) at /socket.io/,
// fed by the same event stream as /poll, /longpoll, /events and /sse: every event goes to
// every client of the default namespace as `tick`, with the event's JSON as its payload, and
// an `echo` is acknowledged with what it carried. Engine.IO is driven by hand, so the
// target's own request and upgrade handlers keep every other path.
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { Server as Engine } from 'engine.io';
import { Server } from 'socket.io';
import type { EventStream } from './event-stream.js';

export const socketIoPath = '/socket.io/';

export interface SocketIoTarget {
  /** Answers Engine.IO's polling requests; false for any other path. */
  handleRequest(req: http.IncomingMessage, res: http.ServerResponse): boolean;
  /** Takes Engine.IO's WebSocket upgrades; false for any other path. */
  handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): boolean;
  close(): void;
}

export function socketIoTarget(events: EventStream): SocketIoTarget {
  // No compression, as the other transports of the target: it would price zlib, not sockets.
  const engine = new Engine({ perMessageDeflate: false, httpCompression: false });
  const server = new Server({ path: socketIoPath, serveClient: false });
  server.bind(engine);
  server.on('connection', (socket) => {
    socket.on('echo', (data: unknown, ack: unknown) => {
      if (typeof ack === 'function') (ack as (reply: unknown) => void)(data);
    });
  });
  events.onPublish((fresh) => {
    for (const event of fresh) server.emit('tick', JSON.parse(event) as unknown);
  });
  const ours = (req: http.IncomingMessage): boolean => (req.url ?? '/').startsWith(socketIoPath);
  return {
    handleRequest(req, res) {
      if (!ours(req)) return false;
      engine.handleRequest(req, res);
      return true;
    },
    handleUpgrade(req, socket, head) {
      if (!ours(req)) return false;
      engine.handleUpgrade(req, socket, head);
      return true;
    },
    close() {
      void server.close();
    },
  };
}
