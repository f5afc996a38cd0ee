// A TLS server whose ALPN picks h2 and http/1.1 in turn among the clients offering both, as a
// fleet behind one address might where only some servers speak HTTP/2 (a client offering only
// http/1.1, or nothing, gets HTTP/1.1 and is not counted). The h2 connections go to a
// node:http2 server, the others to a node:http one; both answer 200.
import http from 'node:http';
import http2 from 'node:http2';
import tls from 'node:tls';
import type { TlsMaterial } from '../../src/target/certificate.js';
import { closerFor, listenOnFreePort } from './listen.js';

export interface AlpnAlternatingServer {
  url: string;
  /** Connections given each version among the clients that offered both. */
  counts: { h2: number; http1: number };
  close(): Promise<void>;
}

export async function startAlpnAlternatingServer(cert: TlsMaterial): Promise<AlpnAlternatingServer> {
  const counts = { h2: 0, http1: 0 };
  let offeredBoth = 0;
  const http1Server = http.createServer((_request, response) => response.end('ok'));
  const h2Server = http2.createServer();
  h2Server.on('session', (session) => session.on('error', () => {}));
  h2Server.on('stream', (stream) => {
    stream.on('error', () => {});
    stream.respond({ ':status': 200 });
    stream.end('ok');
  });
  const server = tls.createServer(
    {
      cert: cert.cert,
      key: cert.key,
      ALPNCallback: ({ protocols }) => {
        if (!protocols.includes('h2')) return protocols.includes('http/1.1') ? 'http/1.1' : undefined;
        const h2 = offeredBoth++ % 2 === 0;
        if (h2) counts.h2++;
        else counts.http1++;
        return h2 ? 'h2' : 'http/1.1';
      },
    },
    (socket) => {
      socket.on('error', () => {});
      (socket.alpnProtocol === 'h2' ? h2Server : http1Server).emit('connection', socket);
    },
  );
  const close = closerFor(server);
  const port = await listenOnFreePort(server);
  return { url: `https://127.0.0.1:${port}/`, counts, close };
}
