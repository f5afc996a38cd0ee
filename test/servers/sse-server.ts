// A text/event-stream server that plays a fixed script per path, to test what a client does
// with the corners of the format and with servers that misbehave:
// - /script: a BOM, a comment, `retry: 200`, multi-line JSON data, LF, CRLF (split across two
//   writes) and CR line ends, then the server ends the stream. On the resume (Last-Event-ID 3)
//   it skips 4, sends 5, then 4 (late), 5 again (a duplicate) and an event of another name
//   (seq 100, no id: a filter on `tick` must ignore it), and drops the socket mid-event. On the
//   second resume (Last-Event-ID 5) it sends 6 and 7 and keeps the stream open, with a
//   comment every 100 ms so that it never looks stalled.
// - /ids: plain-text data, the sequence number only in `id:`.
// - /plain: a 200 that is text/plain, /error: a 503, /stall: headers and then silence,
//   /big: one event larger than 1 KiB between two small ones, /malformed: an unknown field
//   and a `retry` that is not a number between good events.
// Every Last-Event-ID it was sent is kept in order, so a test can check the resumes, and
// every request's x-team header, so it can check the scenario's http.headers went out.
import http from 'node:http';
import { closerFor, listenOnFreePort } from './listen.js';

export interface SseTestServer {
  url: string;
  /** Last-Event-ID headers received, in order. */
  lastEventIds: string[];
  /** The `x-team` header of every request, '' when it had none. */
  teams: string[];
  close(): Promise<void>;
}

const tick = (seq: number, eol = '\n'): string => `event: tick${eol}id: ${seq}${eol}data: {"seq":${seq},${eol}data: "publishedAt":${Date.now()}}${eol}${eol}`;

function heartbeat(res: http.ServerResponse): void {
  const timer = setInterval(() => res.write(': still here\n'), 100);
  res.once('close', () => clearInterval(timer));
}

export async function startSseServer(): Promise<SseTestServer> {
  const lastEventIds: string[] = [];
  const teams: string[] = [];
  const open: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    const path = new URL(req.url ?? '/', 'http://test').pathname;
    const resumeFrom = req.headers['last-event-id'];
    if (typeof resumeFrom === 'string') lastEventIds.push(resumeFrom);
    const team = req.headers['x-team'];
    teams.push(typeof team === 'string' ? team : '');
    const stream = (): void => {
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
      open.push(res);
    };
    switch (path) {
      case '/script':
        stream();
        if (resumeFrom === undefined) {
          res.write('\uFEFF: a comment the client ignores\nretry: 200\n\n');
          res.write(tick(1));
          // A CRLF split across two writes must end one line, not two.
          const second = tick(2, '\r\n');
          res.write(second.slice(0, 20));
          setTimeout(() => {
            res.write(second.slice(20));
            res.end(tick(3, '\r'));
          }, 20);
        } else if (resumeFrom === '3') {
          res.write(tick(5) + tick(4) + tick(5));
          res.write(`event: noise\ndata: {"seq":100,"publishedAt":${Date.now()}}\n\n`);
          // Dropped once all of it is on its way: what was written arrives, the event stays cut.
          res.write('id: 6\ndata: {"seq":6,', () => req.socket.destroy());
        } else {
          if (resumeFrom === '5') res.write(tick(6) + tick(7));
          // A comment every 100 ms keeps the stream from counting as stalled.
          heartbeat(res);
        }
        return;
      case '/ids':
        stream();
        res.write(`retry: 200\n\nid: 1\ndata: first\n\nid: 2\ndata: second\ndata: line\n\nid: 4\ndata: fourth\n\n`);
        heartbeat(res);
        return;
      case '/plain':
        res.writeHead(200, { 'content-type': 'text/plain' }).end('data: not an event stream\n\n');
        return;
      case '/error':
        res.writeHead(503, { 'content-type': 'text/plain' }).end('busy');
        return;
      case '/stall':
        stream();
        res.flushHeaders();
        return;
      case '/big':
        stream();
        res.write(`retry: 60000\n\n${tick(1)}data: ${'x'.repeat(2000)}\n\n${tick(2)}`);
        heartbeat(res);
        return;
      case '/malformed':
        stream();
        res.write(`retry: 60000\n\n${tick(1)}bogus: field\nretry: soon\n\n${tick(2)}`);
        heartbeat(res);
        return;
      default:
        res.writeHead(404).end();
    }
  });
  const closeServer = closerFor(server);
  const port = await listenOnFreePort(server);
  return {
    url: `http://127.0.0.1:${port}`,
    lastEventIds,
    teams,
    close: async () => {
      for (const res of open) res.destroy();
      await closeServer();
    },
  };
}
