// nginx as a second, fast target: one worker process, a fixed 64-byte body, no access log,
// effectively unlimited keep-alive requests, every path it writes in its own temp folder,
// in the foreground so it is our child and stops with SIGTERM.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { cleanupOnSignal, startServer, type ServerProcess } from './processes.js';

const body = 'x'.repeat(64);

function config(dir: string, port: number): string {
  const at = (name: string): string => path.join(dir, name);
  // Started as root, nginx would hand its worker to `nobody`: keep it as the current user.
  const user = process.getuid?.() === 0 ? `user ${os.userInfo().username};\n` : '';
  return `${user}worker_processes 1;
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
  keepalive_requests 1000000;
  keepalive_timeout 75s;
  server {
    listen 127.0.0.1:${port};
    default_type application/octet-stream;
    location / { return 200 "${body}"; }
  }
}
`;
}

function freePort(): Promise<number> {
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
  for (const until = Date.now() + timeoutMs; Date.now() < until; ) {
    if (await accepts(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs / 1000} s`);
}

export async function startNginx(): Promise<ServerProcess> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sockcap-bench-nginx-'));
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
  const forget = cleanupOnSignal(removeDir);
  const port = await freePort();
  const configPath = path.join(dir, 'nginx.conf');
  writeFileSync(configPath, config(dir, port));
  const url = `http://127.0.0.1:${port}/`;
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
