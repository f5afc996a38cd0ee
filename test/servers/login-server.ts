// An HTTP service that needs a login: POST /login with {user, password} answers a token
// (and an etag header), and GET /items answers only with `authorization: Bearer <token>`,
// else 401; GET /orders (no login needed) fails every third time with 503. For HTTP
// sessions: a login that captures a token, then a loop that uses it.
// With `http2` it speaks h2c (prior knowledge) only, through node:http2's compatibility API,
// and counts the HTTP/2 sessions (connections) that carried a request and their streams
// (the CLI's reachability check connects once without one).
import http from 'node:http';
import http2 from 'node:http2';
import { closerFor, listenOn } from './listen.js';

export interface LoginServer {
  url: string;
  counts: {
    logins: number;
    refusedLogins: number;
    items: number;
    unauthorized: number;
    orders: number;
    ordersRefused: number;
    h2Sessions: number;
    h2Streams: number;
  };
  close(): Promise<void>;
}

/** `port`: on 127.0.0.1; undefined: a free one. */
export async function startLoginServer(passwords: Record<string, string>, options: { http2?: boolean; port?: number } = {}): Promise<LoginServer> {
  const counts = { logins: 0, refusedLogins: 0, items: 0, unauthorized: 0, orders: 0, ordersRefused: 0, h2Sessions: 0, h2Streams: 0 };
  const tokens = new Map<string, string>();
  const handle = (req: http.IncomingMessage | http2.Http2ServerRequest, res: http.ServerResponse | http2.Http2ServerResponse): void => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const reply = (status: number, value: unknown, headers: Record<string, string> = {}): void => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(value));
      };
      if (req.method === 'POST' && url.pathname === '/login') {
        let given: { user?: unknown; password?: unknown } = {};
        try {
          given = JSON.parse(body) as typeof given;
        } catch {
          given = {};
        }
        const user = String(given.user);
        if (passwords[user] === undefined || passwords[user] !== given.password) {
          counts.refusedLogins++;
          return reply(401, { ok: false });
        }
        counts.logins++;
        const token = `tok-${user}-${counts.logins}`;
        tokens.set(token, user);
        return reply(200, { ok: true, token }, { etag: `"${user}"` });
      }
      if (req.method === 'GET' && url.pathname === '/items') {
        const user = tokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
        if (user === undefined || url.searchParams.get('user') !== user) {
          counts.unauthorized++;
          return reply(401, { error: 'log in first' });
        }
        counts.items++;
        return reply(200, { user, items: [1, 2, 3] });
      }
      if (req.method === 'GET' && url.pathname === '/orders') {
        counts.orders++;
        if (counts.orders % 3 === 0) {
          counts.ordersRefused++;
          return reply(503, { error: 'busy' });
        }
        return reply(200, { orders: [] });
      }
      reply(404, {});
    });
  };
  const server = options.http2 ? http2.createServer(handle) : http.createServer(handle);
  const used = new WeakSet<object>();
  server.on('stream', (stream: http2.ServerHttp2Stream) => {
    counts.h2Streams++;
    if (stream.session && !used.has(stream.session)) {
      used.add(stream.session);
      counts.h2Sessions++;
    }
  });
  const close = closerFor(server);
  const listening = await listenOn(server, options.port);
  return { url: `http://127.0.0.1:${listening}`, counts, close };
}
