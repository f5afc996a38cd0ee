// Starts test/servers/python_hold_server.py (Python websockets) with the system Python: a
// WebSocket server sockcap's authors did not write, which pings every connection, closes it
// with 4001, and says at /stats what it saw.
import { startPythonScript } from './python-script.js';

export interface PythonHoldStats {
  connections: number;
  pongs: number;
  unanswered: number;
  closeCodes: Record<string, number>;
  subprotocols: Record<string, number>;
  tokens: Record<string, number>;
}

export interface PythonHoldServer {
  url: string;
  stats(): Promise<PythonHoldStats>;
  close(): Promise<void>;
}

export async function startPythonHoldServer(): Promise<PythonHoldServer> {
  const { port, close } = await startPythonScript('python_hold_server.py');
  const url = `http://127.0.0.1:${port}`;
  return { url, stats: async () => (await (await fetch(`${url}/stats`)).json()) as PythonHoldStats, close };
}
