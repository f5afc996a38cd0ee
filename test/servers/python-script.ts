// Runs one of test/servers/*.py with the system Python, for interop with servers sockcap's
// authors did not write: each prints its port when it listens.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export interface PythonServer {
  port: number;
  close: () => Promise<void>;
}

export function startPythonScript(name: string): Promise<PythonServer> {
  const script = join(import.meta.dirname, '..', '..', '..', 'test', 'servers', name);
  const child = spawn('/usr/bin/python3', [script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}: ${stderr}`)));
    child.stdout.once('data', (chunk: Buffer) => {
      resolve({
        port: Number(chunk.toString().trim()),
        close: async () => {
          child.kill();
          await exited;
        },
      });
    });
  });
}
