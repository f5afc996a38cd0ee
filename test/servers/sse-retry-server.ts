// A text/event-stream server that sets the client's reconnection time and hangs up: at
// GET /retry/<ms> it sends `retry: <ms>`, one event (its id and JSON data numbered by the
// requests to that path so far), and ends the stream. It notes when each request arrived,
// per path, so a test can read how long the client waited before reconnecting.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { closerFor, listenOnFreePort } from './listen.js';

export interface SseRetryServer {
  url: string;
  /** Arrival times (performance.now(), ms) of the requests to each path, in order. */
  arrivals: Map<string, number[]>;
  close(): Promise<void>;
}

export async function startSseRetryServer(): Promise<SseRetryServer> {
  const arrivals = new Map<string, number[]>();
  const server = http.createServer((req, res) => {
    req.resume();
    const path = new URL(req.url ?? '/', 'http://test').pathname;
    const retry = /^\/retry\/(\d+)$/.exec(path)?.[1];
    if (retry === undefined) {
      res.writeHead(404).end();
      return;
    }
    const times = arrivals.get(path) ?? [];
    times.push(performance.now());
    arrivals.set(path, times);
    const seq = times.length;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.end(`retry: ${retry}\n\nid: ${seq}\ndata: {"seq":${seq},"publishedAt":${Date.now()}}\n\n`);
  });
  const closeServer = closerFor(server);
  const port = await listenOnFreePort(server);
  return { url: `http://127.0.0.1:${port}`, arrivals, close: closeServer };
}
