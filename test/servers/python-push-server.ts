// Starts test/servers/python_push_server.py (aiohttp SSE and python-socketio) with the
// system Python, for interop with a server sockcap's authors did not write.
import { startPythonScript } from './python-script.js';

export interface PythonPushServer {
  url: string;
  close(): Promise<void>;
}

export async function startPythonPushServer(): Promise<PythonPushServer> {
  const { port, close } = await startPythonScript('python_push_server.py');
  return { url: `http://127.0.0.1:${port}`, close };
}
