// An h2c server (node:http2, prior knowledge) that ends every connection with a GOAWAY carrying
// an error: after `streamsPerConnection` streams it sends GOAWAY with ENHANCE_YOUR_CALM (as a
// server shedding a client it finds too busy) whose last stream id is the last one it answers,
// then closes. Counts the connections that carried a stream and the GOAWAYs sent.
import http2 from 'node:http2';
import { closerFor, listenOnFreePort } from './listen.js';

export interface GoawayServer {
  url: string;
  counts: { connections: number; streams: number; goaways: number };
  close(): Promise<void>;
}

export async function startGoawayServer(streamsPerConnection: number): Promise<GoawayServer> {
  const counts = { connections: 0, streams: 0, goaways: 0 };
  const served = new WeakMap<object, number>();
  const server = http2.createServer();
  server.on('session', (session) => session.on('error', () => {}));
  server.on('stream', (stream) => {
    stream.on('error', () => {});
    const session = stream.session;
    if (!session) return;
    const count = (served.get(session) ?? 0) + 1;
    served.set(session, count);
    counts.streams++;
    if (count === 1) counts.connections++;
    stream.respond({ ':status': 200 });
    stream.end('ok');
    if (count === streamsPerConnection) {
      counts.goaways++;
      session.goaway(http2.constants.NGHTTP2_ENHANCE_YOUR_CALM, stream.id);
      session.close();
    }
  });
  const close = closerFor(server);
  const port = await listenOnFreePort(server);
  return { url: `http://127.0.0.1:${port}/`, counts, close };
}
