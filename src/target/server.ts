// The built-in reference target: a plain node:http server with a fixed-size response,
// an optional delay and a WebSocket echo, whose keep-alive and connection knobs come
// straight from the scenario's `server` settings. It counts what it sees so a run can
// put the server's view next to the generator's. With `eventRate` it also publishes an
// event stream at /poll, /longpoll and WebSocket /events (event-stream.ts).

import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Duplex } from 'node:stream';
import { requestUrl } from './request-url.js';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { ServerSettings } from '../scenario/types.js';
import { EventStream, subscribePath } from './event-stream.js';
import type { TlsMaterial } from './certificate.js';
import { SocketUsage } from './socket-usage.js';
import type { TargetStats } from '../results/target-stats.js';
import { answerAfterBody } from './answer-after-body.js';
import { socketIoTarget } from './socketio-target.js';
import { createHttp2Target, type Http2Target } from './http2-server.js';

export interface TargetOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  settings: ServerSettings;
  /** Serve https:// and wss:// with this certificate; undefined: plain http:// and ws://. */
  tls?: TlsMaterial | undefined;
}

export interface RunningTarget {
  /** http://host:port, or https://host:port with TLS */
  url: string;
  host: string;
  port: number;
  stats(): TargetStats;
  /** Stops accepting, destroys every open socket (WebSockets too), resolves once closed. */
  close(): Promise<void>;
  /** Drops every open connection at once, as a crashing or redeployed server would, and keeps listening. */
  dropAll(): number;
}

const webSocketPath = '/ws';

export async function startTarget(options: TargetOptions): Promise<RunningTarget> {
  const host = options.host ?? '127.0.0.1';
  const settings = options.settings;
  const body = Buffer.alloc(settings.responseSize, 'x');
  const responseHeaders = {
    'content-type': 'application/octet-stream',
    'content-length': String(body.length),
  };

  const counts = {
    requests: 0,
    connectionsAccepted: 0,
    connectionsClosed: 0,
    connectionsRejected: 0,
    webSocketsAccepted: 0,
    webSocketMessages: 0,
    tlsHandshakes: 0,
    tlsResumed: 0,
    tlsFailed: 0,
  };
  const openSockets = new Set<Socket>();
  const usage = new SocketUsage();
  let closedBytesReceived = 0;
  let closedBytesSent = 0;

  const h2Hooks = {
    requestStarted(session: object) {
      counts.requests++;
      usage.requestStarted(session);
    },
    requestEnded: (session: object) => usage.requestEnded(session),
  };
  const h1 = settings.http2 ? undefined : http1Server(settings, options.tls);
  const server: http.Server | Http2Target = h1 ?? createHttp2Target(settings, options.tls, h2Hooks);
  // 'connection' still sees the TCP socket under TLS, so bytes counted there include TLS records.
  server.on('secureConnection', (socket: TLSSocket) => {
    counts.tlsHandshakes++;
    if (socket.isSessionReused()) counts.tlsResumed++;
  });
  server.on('tlsClientError', () => {
    counts.tlsFailed++;
  });

  server.on('connection', (socket: Socket) => {
    counts.connectionsAccepted++;
    openSockets.add(socket);
    usage.opened();
    socket.once('close', () => {
      usage.closed();
      counts.connectionsClosed++;
      closedBytesReceived += socket.bytesRead;
      closedBytesSent += socket.bytesWritten;
      openSockets.delete(socket);
    });
  });
  server.on('drop', () => {
    counts.connectionsRejected++;
  });
  server.on('dropRequest', () => {
    counts.requests++;
  });

  const events = new EventStream(settings);
  const socketIo = socketIoTarget(events);
  h1?.on('request', (req, res) => {
    counts.requests++;
    const socket = req.socket;
    usage.requestStarted(socket);
    res.once('close', () => usage.requestEnded(socket));
    if (events.handle(req, res) || socketIo.handleRequest(req, res)) return;
    const respond = (): void => {
      res.writeHead(200, responseHeaders);
      res.end(body);
    };
    answerAfterBody(req, res, settings.responseDelay, respond);
  });

  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, clientTracking: false });
  h1?.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', ignore);
    usage.upgraded(socket);
    if (socketIo.handleUpgrade(req, socket, head)) return;
    const url = requestUrl(req.url);
    if (url === undefined) {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    if (url.pathname === subscribePath) {
      wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
        counts.webSocketsAccepted++;
        ws.on('error', ignore);
        events.subscribe(ws);
      });
      return;
    }
    if (!url.pathname.startsWith(webSocketPath)) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      counts.webSocketsAccepted++;
      ws.on('error', ignore);
      ws.on('message', (data: RawData, isBinary: boolean) => {
        counts.webSocketMessages++;
        ws.send(data, { binary: isBinary });
      });
    });
  });

  await listen(server, host, options.port ?? 0);
  const port = (server.address() as { port: number }).port;
  events.start();

  const stats = (): TargetStats => {
    let bytesReceived = closedBytesReceived;
    let bytesSent = closedBytesSent;
    for (const socket of openSockets) {
      bytesReceived += socket.bytesRead;
      bytesSent += socket.bytesWritten;
    }
    return { ...counts, ...events.stats(), ...usage.stats(), connectionsOpen: openSockets.size, bytesReceived, bytesSent };
  };

  // The server reports closed before its sockets emit 'close'; waiting for those too
  // makes stats() after close() final (nothing open, every byte counted).
  const closeAll = async (): Promise<void> => {
    const serverClosed = new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    const socketsClosed = [...openSockets].map((socket) => new Promise((resolve) => socket.once('close', resolve)));
    events.close();
    socketIo.close();
    usage.stop();
    for (const socket of openSockets) socket.destroy();
    wss.close();
    await Promise.all([serverClosed, ...socketsClosed]);
  };
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => (closing ??= closeAll());
  const dropAll = (): number => {
    const dropped = openSockets.size;
    for (const socket of openSockets) socket.destroy();
    return dropped;
  };

  const scheme = options.tls ? 'https' : 'http';
  return { url: `${scheme}://${formatHost(host)}:${port}`, host, port, stats, close, dropAll };
}

function http1Server(settings: ServerSettings, tls: TlsMaterial | undefined): http.Server {
  const serverOptions = { connectionsCheckingInterval: checkingInterval(settings) };
  const server = tls ? https.createServer({ ...serverOptions, cert: tls.cert, key: tls.key }) : http.createServer(serverOptions);
  applyTimeouts(server, settings);
  return server;
}

function applyTimeouts(server: http.Server, settings: ServerSettings): void {
  // Node (20.20 measured) closes an idle socket 1 s after keepAliveTimeout, a built-in
  // buffer against the reset race, while it advertises `Keep-Alive: timeout=` the whole
  // seconds of keepAliveTimeout. 0 keeps idle sockets open for good.
  server.keepAliveTimeout = settings.keepAliveTimeout;
  // Node needs headersTimeout > keepAliveTimeout, or a request arriving as the idle timer
  // fires can be cut off. Set as properties, not createServer options: the options check
  // headersTimeout <= requestTimeout, which the raise may break, and requestTimeout then
  // simply fires first.
  server.headersTimeout = settings.headersTimeout > settings.keepAliveTimeout ? settings.headersTimeout : settings.keepAliveTimeout + 1000;
  server.requestTimeout = settings.requestTimeout;
  server.maxRequestsPerSocket = settings.maxRequestsPerSocket;
  if (settings.maxConnections > 0) server.maxConnections = settings.maxConnections;
}

// Node checks headersTimeout and requestTimeout only every connectionsCheckingInterval
// (30 s by default), so short timeouts would fire up to 30 s late without this.
function checkingInterval(settings: ServerSettings): number {
  const timeouts = [settings.headersTimeout, settings.requestTimeout].filter((t) => t > 0);
  const shortest = Math.min(30_000, ...timeouts);
  return Math.max(100, Math.min(30_000, Math.round(shortest / 10)));
}

function listen(server: http.Server | Http2Target, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function ignore(): void {}
