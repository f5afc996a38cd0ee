// A WebSocket peer that answers the upgrade as told, for the failures a client must name:
// `bad-accept` answers 101 with a wrong Sec-WebSocket-Accept, `refuse` answers 503, `mute`
// never answers, and `chatty` completes the upgrade, then sends a text message split over two
// writes and a ping of its own (whose pong it counts) in the middle of it.
import { createHash } from 'node:crypto';
import net from 'node:net';
import { closerFor, listenOnFreePort } from './listen.js';

export type RawUpgradeMode = 'bad-accept' | 'refuse' | 'mute' | 'chatty';

export interface RawUpgradeServer {
  url: string;
  counts: { upgrades: number; pongs: number };
  close(): Promise<void>;
}

const guid = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export async function startRawUpgradeServer(mode: RawUpgradeMode): Promise<RawUpgradeServer> {
  const counts = { upgrades: 0, pongs: 0 };
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    let head = '';
    const onHead = (chunk: Buffer): void => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onHead);
      counts.upgrades++;
      const key = /sec-websocket-key:\s*(\S+)/i.exec(head)?.[1] ?? '';
      const accept = createHash('sha1')
        .update(mode === 'bad-accept' ? `${key}x` : key + guid)
        .digest('base64');
      if (mode === 'mute') return;
      if (mode === 'refuse') {
        socket.end('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
        return;
      }
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
      if (mode !== 'chatty') return;
      // A text message of 300 bytes (a 16-bit length), its first bytes, then a ping, then the rest.
      const message = Buffer.concat([Buffer.from([0x81, 126, 0x01, 0x2c]), Buffer.alloc(300, 0x61)]);
      socket.write(message.subarray(0, 100));
      setTimeout(() => {
        socket.write(message.subarray(100));
        socket.write(Buffer.from([0x89, 0x02, 0x68, 0x69]));
      }, 50);
      socket.on('data', (frame: Buffer) => {
        // A masked pong (0x8a) echoing "hi": opcode, mask bit with length 2, the key, the masked payload.
        if (frame[0] === 0x8a && frame[1] === 0x82 && (frame[6]! ^ frame[2]!) === 0x68 && (frame[7]! ^ frame[3]!) === 0x69) counts.pongs++;
      });
    };
    socket.on('data', onHead);
  });
  const close = closerFor(server);
  const port = await listenOnFreePort(server);
  return { url: `ws://127.0.0.1:${port}/`, counts, close };
}
