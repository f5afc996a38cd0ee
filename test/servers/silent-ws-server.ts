// A WebSocket peer that completes the upgrade and then never says another word: no pongs,
// no close, no FIN, like a host that vanished behind a NAT. Only pings reveal it. It also
// records the client addresses it saw, so tests can check source-address binding.
import { createHash } from 'node:crypto';
import net from 'node:net';
import { closerFor, listenOnFreePort } from './listen.js';

const websocketGuid = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export interface SilentWsServer {
  url: string;
  counts: { upgrades: number };
  remoteAddresses: Set<string>;
  close(): Promise<void>;
}

export async function startSilentWsServer(): Promise<SilentWsServer> {
  const counts = { upgrades: 0 };
  const remoteAddresses = new Set<string>();
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    let head = '';
    const onData = (chunk: Buffer): void => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      const key = /sec-websocket-key:\s*(\S+)/i.exec(head)?.[1] ?? '';
      const accept = createHash('sha1')
        .update(key + websocketGuid)
        .digest('base64');
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
      counts.upgrades++;
      remoteAddresses.add(socket.remoteAddress ?? '');
      // From here on: read nothing, answer nothing.
      socket.pause();
    };
    socket.on('data', onData);
  });
  const close = closerFor(server);
  const port = await listenOnFreePort(server);
  return { url: `ws://127.0.0.1:${port}/ws`, counts, remoteAddresses, close };
}
