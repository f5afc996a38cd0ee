// `sockcap probe` for HTTP/2: which protocol the server speaks (ALPN over TLS; over plain
// TCP, whether it answers the HTTP/2 preface with SETTINGS: h2c), its
// SETTINGS_MAX_CONCURRENT_STREAMS, its idle timeout (how long an idle connection lives
// until a GOAWAY or the close), and whether it sends a GOAWAY after some number of requests.
// HTTP/2 says when a server ends a connection (GOAWAY, then the close), so each of these is
// watched on one connection rather than bracketed by trying.
import http2 from 'node:http2';
import { performance } from 'node:perf_hooks';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { connect as netConnect } from 'node:net';
import { TargetUnreachableError } from '../errors.js';
import { http2CodeName } from '../protocols/http2-codes.js';
import { defaultPort } from '../protocols/target-port.js';
import type { ProbeTarget } from './connection.js';

export interface Negotiated {
  /** `h2` (ALPN), `h2c` (prior knowledge answered), `http/1.1`, or what else ALPN named. */
  protocol: string;
  /** The server's SETTINGS_MAX_CONCURRENT_STREAMS; undefined when it speaks no HTTP/2 or sets none. */
  maxConcurrentStreams: number | undefined;
}

export interface GoawayWatch {
  /** ms from the last response to the GOAWAY, or to the close when no GOAWAY came first; undefined: neither within the wait. */
  afterMs: number | undefined;
  goaway: { code: string; lastStreamId: number } | undefined;
  tookMs: number;
}

export interface RequestLimit {
  /** Streams answered before the GOAWAY; undefined: no GOAWAY within `sent` requests. */
  limit: number | undefined;
  sent: number;
  goaway: { code: string; lastStreamId: number } | undefined;
  tookMs: number;
}

interface Open {
  /** Undefined when the server speaks no HTTP/2. */
  session: http2.ClientHttp2Session | undefined;
  protocol: string;
}

/** Opens an HTTP/2 session (or learns the server speaks none) and waits for its SETTINGS. */
function openSession(target: ProbeTarget): Promise<Open> {
  const url = target.url;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = defaultPort(url);
  const tls = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    let connected = false;
    let settled = false;
    const settle = (open: Open | Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (open instanceof Error) reject(open);
      else resolve(open);
    };
    const socket = tls
      ? tlsConnect({ host, port, servername: host, ALPNProtocols: ['h2', 'http/1.1'], rejectUnauthorized: !target.insecure })
      : netConnect({ host, port });
    const timer = setTimeout(() => socket.destroy(new Error(`no answer within ${target.timeoutMs} ms`)), target.timeoutMs);
    // An HTTP/1.1 server answers the h2c preface with a 400 and a close: once connected, a failure means no HTTP/2.
    const failed = (error: NodeJS.ErrnoException): void =>
      settle(
        connected
          ? { session: undefined, protocol: 'http/1.1' }
          : new TargetUnreachableError(url.href, error.code ?? error.message, `check that a server listens on ${host}:${port}`),
      );
    socket.on('error', failed);
    socket.once(tls ? 'secureConnect' : 'connect', () => {
      connected = true;
      socket.setNoDelay(true);
      const alpn = tls ? (socket as TLSSocket).alpnProtocol : 'h2c';
      if (tls && alpn !== 'h2') {
        socket.destroy();
        settle({ session: undefined, protocol: alpn || 'http/1.1' });
        return;
      }
      const session = http2.connect(url.origin, { createConnection: () => socket, settings: { enablePush: false } });
      session.on('error', failed);
      session.once('close', () => failed(new Error('closed')));
      session.once('remoteSettings', () => settle({ session, protocol: alpn as string }));
    });
  });
}

/** The protocol the server speaks and the streams it allows; closes the connection. */
export async function negotiate(target: ProbeTarget): Promise<Negotiated> {
  const { session, protocol } = await openSession(target);
  if (!session) return { protocol, maxConcurrentStreams: undefined };
  const max = session.remoteSettings.maxConcurrentStreams;
  session.close();
  return { protocol, maxConcurrentStreams: max === undefined || max >= 2 ** 32 - 1 ? undefined : max };
}

function request(session: http2.ClientHttp2Session, path: string, timeoutMs: number): Promise<{ ok: boolean; endedAt: number }> {
  return new Promise((resolve) => {
    const stream = session.request({ ':path': path });
    let complete = false;
    stream.setTimeout(timeoutMs, () => stream.close(http2.constants.NGHTTP2_CANCEL));
    stream.on('data', () => {});
    stream.on('end', () => (complete = true));
    stream.on('error', () => {});
    stream.once('close', () => resolve({ ok: complete && stream.rstCode === 0, endedAt: performance.now() }));
  });
}

function goawayOf(session: http2.ClientHttp2Session): Promise<{ code: string; lastStreamId: number; at: number } | undefined> {
  return new Promise((resolve) => {
    session.once('goaway', (code: number, lastStreamId: number) => resolve({ code: http2CodeName(code), lastStreamId, at: performance.now() }));
    session.once('close', () => resolve(undefined));
  });
}

async function h2Session(target: ProbeTarget): Promise<http2.ClientHttp2Session> {
  const { session, protocol } = await openSession(target);
  if (!session) throw new Error(`the server speaks ${protocol}, not HTTP/2`);
  return session;
}

/** One request, then nothing: when does the server send GOAWAY or close? Waits at most `maxIdleMs`. */
export async function watchIdle(target: ProbeTarget, maxIdleMs: number): Promise<GoawayWatch> {
  const started = performance.now();
  const session = await h2Session(target);
  let closedAt: number | undefined;
  session.once('close', () => (closedAt = performance.now()));
  const goaway = goawayOf(session);
  const answer = await request(session, target.url.pathname + target.url.search, target.timeoutMs);
  const timer = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), maxIdleMs).unref());
  const seen = await Promise.race([goaway, timer]);
  session.destroy();
  const at = seen?.at ?? closedAt;
  return {
    afterMs: at === undefined ? undefined : at - answer.endedAt,
    goaway: seen && { code: seen.code, lastStreamId: seen.lastStreamId },
    tookMs: performance.now() - started,
  };
}

/** Requests one after another on one connection until a GOAWAY, at most `maxRequests`. */
export async function findGoawayLimit(target: ProbeTarget, maxRequests: number): Promise<RequestLimit> {
  const started = performance.now();
  const session = await h2Session(target);
  let goaway: { code: string; lastStreamId: number } | undefined;
  session.once('goaway', (code: number, lastStreamId: number) => (goaway = { code: http2CodeName(code), lastStreamId }));
  const path = target.url.pathname + target.url.search;
  let answered = 0;
  let sent = 0;
  while (sent < maxRequests && goaway === undefined && !session.closed && !session.destroyed) {
    sent++;
    if ((await request(session, path, target.timeoutMs)).ok) answered++;
  }
  session.destroy();
  return { limit: goaway ? answered : undefined, sent, goaway, tookMs: performance.now() - started };
}
