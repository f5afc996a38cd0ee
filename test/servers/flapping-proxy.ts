// A TCP proxy in front of a real server that a test can make flap: drop every connection at
// once and then reset each new one for a while (a service restarting behind its port), and
// that remembers which local address every client connection came from.
import net from 'node:net';
import { closerFor, listenOnFreePort } from './listen.js';

export interface FlappingProxy {
  url: string;
  port: number;
  /** Client connections passed through to the backend, and reset while refusing. */
  counts: { accepted: number; refused: number };
  /** The client address of every connection, accepted or refused. */
  remoteAddresses: Set<string>;
  /** Client connections open now. */
  open(): number;
  /** Drops every open connection, then resets new ones for `refuseMs`. */
  flap(refuseMs: number): void;
  close(): Promise<void>;
}

export async function startFlappingProxy(backendPort: number): Promise<FlappingProxy> {
  const counts = { accepted: 0, refused: 0 };
  const remoteAddresses = new Set<string>();
  const pairs = new Set<net.Socket>();
  let refusingUntil = 0;
  const server = net.createServer((client) => {
    client.on('error', () => {});
    remoteAddresses.add(client.remoteAddress ?? '');
    if (performance.now() < refusingUntil) {
      counts.refused++;
      client.resetAndDestroy();
      return;
    }
    counts.accepted++;
    const backend = net.connect(backendPort, '127.0.0.1');
    backend.on('error', () => client.destroy());
    client.on('close', () => backend.destroy());
    backend.on('close', () => client.destroy());
    client.pipe(backend).pipe(client);
    pairs.add(client);
    client.once('close', () => pairs.delete(client));
  });
  const close = closerFor(server);
  const port = await listenOnFreePort(server);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    counts,
    remoteAddresses,
    open: () => pairs.size,
    flap(refuseMs) {
      refusingUntil = performance.now() + refuseMs;
      for (const client of pairs) client.destroy();
    },
    close,
  };
}
