// Answers promptly except during a periodic stall (like a GC pause or a held lock): for
// `stallMs` of every `periodMs`, starting `offsetMs` after start, every response that
// falls due is held until the stall ends. Lets tests see coordinated omission.

import http from 'node:http';
import { closerFor, listenOnFreePort } from './listen.js';

export interface StallServerOptions {
  stallMs: number;
  periodMs: number;
  /** When the first stall begins, after start; default 0. */
  offsetMs?: number;
  /** Delay of every response outside stalls; default 0. */
  normalDelayMs?: number;
}

export interface StallServer {
  url: string;
  port: number;
  /** `held`: responses that fell due during a stall. */
  counts: { requests: number; held: number };
  close(): Promise<void>;
}

export async function startStallServer(options: StallServerOptions): Promise<StallServer> {
  const { stallMs, periodMs, offsetMs = 0, normalDelayMs = 0 } = options;
  const counts = { requests: 0, held: 0 };
  const startedAt = performance.now();

  /** When a response due at `due` can go out: `due`, or the end of the stall it falls in. */
  const releaseTime = (due: number): number => {
    const sinceFirstStall = due - startedAt - offsetMs;
    if (sinceFirstStall < 0) return due;
    const intoPeriod = sinceFirstStall % periodMs;
    return intoPeriod < stallMs ? due + stallMs - intoPeriod : due;
  };

  const server = http.createServer((req, res) => {
    counts.requests++;
    req.resume();
    const due = performance.now() + normalDelayMs;
    const release = releaseTime(due);
    if (release > due) counts.held++;
    // A release already due (normalDelayMs 0) is 0, not the few microseconds since: Node warns of a negative delay.
    const timer = setTimeout(() => res.end('ok'), Math.max(0, release - performance.now()));
    res.once('close', () => clearTimeout(timer));
  });
  const close = closerFor(server);
  const port = await listenOnFreePort(server);
  return { url: `http://127.0.0.1:${port}`, port, counts, close };
}
