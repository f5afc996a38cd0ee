// An h2c server (node:http2, prior knowledge) that refuses every `refuseEvery`-th stream with
// RST_STREAM REFUSED_STREAM (counted across connections, as a server shedding load does) and
// resets every stream to /reset with INTERNAL_ERROR; it answers the others 200 "ok".
import http2 from 'node:http2';
import { closerFor, listenOnFreePort } from './listen.js';

const { NGHTTP2_INTERNAL_ERROR, NGHTTP2_REFUSED_STREAM } = http2.constants;

export interface RefusingH2Server {
  url: string;
  counts: { streams: number; refused: number; reset: number };
  close(): Promise<void>;
}

export async function startRefusingH2Server(refuseEvery: number): Promise<RefusingH2Server> {
  const counts = { streams: 0, refused: 0, reset: 0 };
  const server = http2.createServer();
  server.on('session', (session) => session.on('error', () => {}));
  server.on('stream', (stream, headers) => {
    stream.on('error', () => {});
    counts.streams++;
    if (counts.streams % refuseEvery === 0) {
      counts.refused++;
      stream.close(NGHTTP2_REFUSED_STREAM);
    } else if (headers[':path'] === '/reset') {
      counts.reset++;
      stream.close(NGHTTP2_INTERNAL_ERROR);
    } else {
      stream.respond({ ':status': 200 });
      stream.end('ok');
    }
  });
  const close = closerFor(server);
  const port = await listenOnFreePort(server);
  return { url: `http://127.0.0.1:${port}/`, counts, close };
}
