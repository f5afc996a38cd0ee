// Shared by the test servers: listen on 127.0.0.1 on a free port, and close without
// waiting for clients to let go of their sockets.

import type net from 'node:net';

export function listenOnFreePort(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

/** Listens on 127.0.0.1:`port`, or a free port when it is undefined. */
export function listenOn(server: net.Server, port: number | undefined): Promise<number> {
  if (port === undefined) return listenOnFreePort(server);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve(port);
    });
  });
}

/** Tracks `server`'s sockets from now on; the returned function closes it and destroys them. */
export function closerFor(server: net.Server): () => Promise<void> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return () =>
    new Promise((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
}
