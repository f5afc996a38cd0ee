// The built-in target's event stream behind a flaky front: every `dropEvery`-th long-poll
// is held for `holdMs` and then its socket is destroyed mid-hold, with no response, as a
// proxy or a crashing backend would. Other requests are answered normally, so a client
// that carries on with the same `since` loses nothing.

import http from 'node:http';
import { defaults } from '../../src/scenario/defaults.js';
import { EventStream, longPollPath } from '../../src/target/event-stream.js';
import { closerFor, listenOnFreePort } from './listen.js';

export interface DroppingLongPollOptions {
  eventRate: number;
  dropEvery: number;
  holdMs: number;
}

export interface DroppingLongPollServer {
  url: string;
  /** `dropped`: long-polls whose socket was destroyed mid-hold. */
  counts: { longPolls: number; dropped: number };
  published(): number;
  close(): Promise<void>;
}

export async function startDroppingLongPollServer(options: DroppingLongPollOptions): Promise<DroppingLongPollServer> {
  const counts = { longPolls: 0, dropped: 0 };
  const events = new EventStream({ ...defaults.server, eventRate: options.eventRate });
  const server = http.createServer((req, res) => {
    const isLongPoll = new URL(req.url ?? '/', 'http://test').pathname === longPollPath;
    if (isLongPoll && ++counts.longPolls % options.dropEvery === 0) {
      req.resume();
      const timer = setTimeout(() => {
        counts.dropped++;
        req.socket.destroy();
      }, options.holdMs);
      res.once('close', () => clearTimeout(timer));
      return;
    }
    if (!events.handle(req, res)) res.writeHead(404).end();
  });
  const closeServer = closerFor(server);
  const port = await listenOnFreePort(server);
  events.start();
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    published: () => events.stats().eventsPublished,
    close: async () => {
      events.close();
      await closeServer();
    },
  };
}
