// nginx as a second, fast target: one worker process, a fixed 64-byte body, no access log,
// effectively unlimited keep-alive requests, every path it writes in its own temp folder,
// in the foreground so it is our child and stops with SIGTERM. Optionally HTTP/2 (h2c, or
// h2 over TLS with a given certificate), with its stream and request limits, and a
// /reset location whose streams it resets (`return 444`).
// Tests add locations of their own (a 503 share, a proxy to a slower upstream) and may ask for a port again.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { cleanupOnSignal, startServer, type ServerProcess } from './processes.js';

const body = 'x'.repeat(64);

export interface NginxOptions {
  /** h2c: HTTP/2 with prior knowledge on plain TCP; tls: h2 and HTTP/1.1 by ALPN over TLS. */
  http2?: 'h2c' | 'tls';
  /** PEM certificate and key for `http2: tls` (or plain TLS with `tls` alone). */
  cert?: { cert: string; key: string };
  /** HTTP/1.1 over TLS (no h2 in ALPN): what `http.version: auto` falls back on. */
  tls?: boolean;
  maxConcurrentStreams?: number;
  /** Requests per connection before nginx closes it (HTTP/1.1) or sends GOAWAY (HTTP/2). */
  keepaliveRequests?: number;
  /** Port to listen on; default a free one. */
  port?: number;
  /** More nginx config inside the server block, before `location /`. */
  locations?: string;
  /** nginx config inside the http block, outside the server (split_clients, upstreams). */
  http?: string;
  /** What `location /` does; default returns 200 with a 64-byte body. */
  root?: string;
  /** Worker processes under the master; default 1. */
  workerProcesses?: number;
}

function config(dir: string, port: number, options: NginxOptions): string {
  const at = (name: string): string => path.join(dir, name);
  // Started as root, nginx would hand its worker to `nobody`: keep it as the current user.
  const user = process.getuid?.() === 0 ? `user ${os.userInfo().username};\n` : '';
  return `${user}worker_processes ${options.workerProcesses ?? 1};
daemon off;
pid ${at('nginx.pid')};
error_log ${at('error.log')} warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${at('body')};
  proxy_temp_path ${at('proxy')};
  fastcgi_temp_path ${at('fastcgi')};
  uwsgi_temp_path ${at('uwsgi')};
  scgi_temp_path ${at('scgi')};
  keepalive_requests ${options.keepaliveRequests ?? 1000000};
  keepalive_timeout 75s;
${options.http ?? ''}
  server {
    listen 127.0.0.1:${port}${listenFlags(options)};
${tlsLines(dir, options)}    http2_max_concurrent_streams ${options.maxConcurrentStreams ?? 128};
    default_type application/octet-stream;
${options.locations ?? ''}
    location / { ${options.root ?? `return 200 "${body}";`} }
    location /reset { return 444; }
  }
}
`;
}

function listenFlags(options: NginxOptions): string {
  if (options.http2 === 'h2c') return ' http2';
  if (options.http2 === 'tls') return ' ssl http2';
  return options.tls ? ' ssl' : '';
}

function tlsLines(dir: string, options: NginxOptions): string {
  if (options.http2 !== 'tls' && !options.tls) return '';
  if (!options.cert) throw new Error('nginx over TLS needs a certificate');
  writeFileSync(path.join(dir, 'cert.pem'), options.cert.cert);
  writeFileSync(path.join(dir, 'key.pem'), options.cert.key);
  return `    ssl_certificate ${path.join(dir, 'cert.pem')};\n    ssl_certificate_key ${path.join(dir, 'key.pem')};\n`;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  for (const until = Date.now() + timeoutMs; Date.now() < until;) {
    if (await accepts(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs / 1000} s`);
}

export async function startNginx(options: NginxOptions = {}): Promise<ServerProcess> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sockcap-bench-nginx-'));
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
  const forget = cleanupOnSignal(removeDir);
  const port = options.port ?? (await freePort());
  const configPath = path.join(dir, 'nginx.conf');
  writeFileSync(configPath, config(dir, port, options));
  const url = `${options.http2 === 'tls' || options.tls ? 'https' : 'http'}://127.0.0.1:${port}/`;
  try {
    const server = await startServer('nginx', 'nginx', ['-p', dir, '-c', configPath, '-e', path.join(dir, 'error.log')], () =>
      waitForPort(port, 5000).then(() => url),
    );
    return {
      ...server,
      stop: async () => {
        await server.stop();
        forget();
        removeDir();
      },
    };
  } catch (error) {
    forget();
    removeDir();
    throw error;
  }
}
