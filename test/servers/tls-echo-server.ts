// A plain Node https server with a `ws` echo on it and its own self-signed certificate: a
// TLS peer that is not sockcap's built-in target. Options make the certificate carry other
// names, or be expired, so tests can see each verification failure.

import { writeFileSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { generate } from 'selfsigned';
import { echoWebSockets } from './ws-echo-server.js';
import { closerFor, listenOnFreePort } from './listen.js';

export interface TlsEchoServerOptions {
  /** DNS names the certificate carries; default localhost plus the IP 127.0.0.1. */
  dnsNames?: string[];
  /** Leave 127.0.0.1 out of the certificate's names. */
  withoutIp?: boolean;
  expired?: boolean;
  /** Ask every client for a certificate and accept only those this PEM CA (or self-signed certificate) vouches for. */
  clientCa?: string;
}

export interface TlsEchoServer {
  /** https://127.0.0.1:port; wss://127.0.0.1:port for WebSocket on any path. */
  url: string;
  port: number;
  /** The self-signed certificate, PEM: what a client must trust. */
  cert: string;
  counts: { requests: number; connections: number; webSockets: number; messages: number; tlsHandshakes: number; tlsResumed: number };
  /** Writes the certificate into `dir` and returns the file's path, for tls.ca. */
  writeCert(dir: string): string;
  close(): Promise<void>;
}

const dayMs = 86_400_000;

export async function startTlsEchoServer(options: TlsEchoServerOptions = {}): Promise<TlsEchoServer> {
  const now = Date.now();
  const names = options.dnsNames ?? ['localhost'];
  const pems = await generate([{ name: 'commonName', value: names[0] ?? 'test' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate: new Date(options.expired ? now - 30 * dayMs : now - dayMs),
    notAfterDate: new Date(options.expired ? now - dayMs : now + dayMs),
    extensions: [
      { name: 'basicConstraints', cA: false },
      {
        name: 'subjectAltName',
        altNames: [...names.map((value) => ({ type: 2 as const, value })), ...(options.withoutIp ? [] : [{ type: 7 as const, ip: '127.0.0.1' }])],
      },
    ],
  });
  const counts = { requests: 0, connections: 0, webSockets: 0, messages: 0, tlsHandshakes: 0, tlsResumed: 0 };
  const clientAuth = options.clientCa ? { requestCert: true, rejectUnauthorized: true, ca: options.clientCa } : {};
  const server = https.createServer({ cert: pems.cert, key: pems.private, ...clientAuth }, (req, res) => {
    counts.requests++;
    req.resume();
    req.once('end', () => res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' }).end('ok'));
  });
  server.on('connection', () => counts.connections++);
  server.on('secureConnection', (socket: TLSSocket) => {
    counts.tlsHandshakes++;
    if (socket.isSessionReused()) counts.tlsResumed++;
  });
  server.on('tlsClientError', () => {});
  const wss = echoWebSockets(server, {
    connected: () => counts.webSockets++,
    echoed: () => counts.messages++,
  });
  const closeServer = closerFor(server);
  const port = await listenOnFreePort(server);
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    cert: pems.cert,
    counts,
    writeCert(dir) {
      const file = join(dir, `server-${port}.pem`);
      writeFileSync(file, pems.cert);
      return file;
    },
    async close() {
      wss.close();
      await closeServer();
    },
  };
}
