// Starts test/servers/python_push_server.py (aiohttp SSE and python-socketio) with the
// system Python, for interop with a server sockcap's authors did not write.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export interface PythonPushServer {
  url: string;
  close(): Promise<void>;
}

const script = join(import.meta.dirname, '..', '..', '..', 'test', 'servers', 'python_push_server.py');

export function startPythonPushServer(): Promise<PythonPushServer> {
  const child = spawn('/usr/bin/python3', [script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`python_push_server.py exited with ${code}: ${stderr}`)));
    child.stdout.once('data', (chunk: Buffer) => {
      const port = Number(chunk.toString().trim());
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: async () => {
          child.kill();
          await exited;
        },
      });
    });
  });
}
