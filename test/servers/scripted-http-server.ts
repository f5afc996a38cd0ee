// Answers each HTTP/1.1 request with bytes a test scripts: the pieces of one answer are
// written one event-loop turn apart (a head split across reads, a chunked body with
// trailers, an answer that never ends, garbage), and every request and the bytes of each are
// kept, so a test can compare what two clients sent and how they took the same answers.
import net from 'node:net';
import { closerFor, listenOnFreePort } from './listen.js';
import { readRequests } from './request-reader.js';

/** What to write for request number `n` (1 on): pieces of the answer; `null` ends the socket there. */
export type Script = (n: number) => (string | Buffer | null)[];

export interface ScriptedHttpServer {
  url: string;
  /** The heads of the requests read, in order, and the connections accepted. */
  seen: { heads: string[]; connections: number };
  close(): Promise<void>;
}

export async function startScriptedHttpServer(script: Script): Promise<ScriptedHttpServer> {
  const seen = { heads: [] as string[], connections: 0 };
  const server = net.createServer((socket) => {
    seen.connections++;
    socket.on('error', () => {});
    readRequests(socket, (head) => {
      seen.heads.push(head);
      const pieces = script(seen.heads.length);
      const writeNext = (): void => {
        const piece = pieces.shift();
        if (piece === undefined || socket.destroyed) return;
        if (piece === null) return void socket.end();
        socket.write(piece);
        setImmediate(writeNext);
      };
      writeNext();
    });
  });
  const close = closerFor(server);
  const port = await listenOnFreePort(server);
  return { url: `http://127.0.0.1:${port}/`, seen, close };
}
