// Answers every request after a fixed delay: a slow but healthy backend.

import http from 'node:http';
import { closerFor, listenOnFreePort } from './listen.js';

export interface DelayServer {
  url: string;
  port: number;
  counts: { requests: number };
  /** The delay of the next answers: a test makes the same target slower between two runs. */
  delayMs: number;
  close(): Promise<void>;
}

export async function startDelayServer(delayMs: number): Promise<DelayServer> {
  const counts = { requests: 0 };
  const server = http.createServer((req, res) => {
    counts.requests++;
    req.resume();
    const timer = setTimeout(() => res.end('ok'), delay.delayMs);
    res.once('close', () => clearTimeout(timer));
  });
  const close = closerFor(server);
  const port = await listenOnFreePort(server);
  const delay: DelayServer = { url: `http://127.0.0.1:${port}`, port, counts, delayMs, close };
  return delay;
}
