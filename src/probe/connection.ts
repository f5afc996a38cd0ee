// One raw HTTP/1.1 connection for probing, with nothing between the probe and the socket: no
// pool closing idle sockets early, no client honouring `Keep-Alive` hints, and the moment the
// server closes (its FIN) seen exactly. Reads Content-Length and chunked bodies; a response
// with neither ends when the server closes.
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { connect as tlsConnect } from 'node:tls';
import { TargetUnreachableError } from '../errors.js';

/** The target did not answer as HTTP asks (closed, silent): a fact about the target, with a code like a socket error's. */
export class TargetAnswerError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'TargetAnswerError';
    this.code = code;
  }
}

export interface ProbeResponse {
  status: number;
  /** Lower-cased header names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** performance.now() when the last byte of the response arrived. */
  endedAt: number;
}

export interface ProbeTarget {
  url: URL;
  /** Accept any certificate (https:// test servers). */
  insecure: boolean;
  /** How long a request may wait for its whole response. */
  timeoutMs: number;
}

const headerEnd = Buffer.from('\r\n\r\n');

export class ProbeConnection {
  /** performance.now() when the server closed its side, once it has. */
  closedAt: number | undefined;
  private buffered = Buffer.alloc(0);
  private pending: { resolve: (response: ProbeResponse) => void; reject: (error: Error) => void; timer: NodeJS.Timeout } | undefined;
  private readonly closeWaiters: (() => void)[] = [];

  private constructor(
    private readonly socket: Socket,
    private readonly target: ProbeTarget,
  ) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      this.tryParse(false);
    });
    socket.on('end', () => this.onClosed());
    socket.on('close', () => this.onClosed());
    socket.on('error', () => this.onClosed());
  }

  static open(target: ProbeTarget): Promise<ProbeConnection> {
    const { url } = target;
    const secure = url.protocol === 'https:' || url.protocol === 'wss:';
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const port = Number(url.port) || (secure ? 443 : 80);
    return new Promise((resolve, reject) => {
      const socket = secure
        ? tlsConnect({ host, port, servername: isIP(host) === 0 ? host : undefined, rejectUnauthorized: !target.insecure, ALPNProtocols: ['http/1.1'] })
        : netConnect({ host, port });
      socket.setNoDelay(true);
      const timer = setTimeout(() => socket.destroy(new Error(`no connection within ${target.timeoutMs} ms`)), target.timeoutMs);
      socket.once(secure ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        socket.removeListener('error', fail);
        resolve(new ProbeConnection(socket, target));
      });
      const fail = (error: NodeJS.ErrnoException): void => {
        clearTimeout(timer);
        reject(new TargetUnreachableError(url.href, error.code ?? error.message, `check that a server listens on ${host}:${port}`));
      };
      socket.once('error', fail);
    });
  }

  get isClosed(): boolean {
    return this.closedAt !== undefined;
  }

  /** Sends one GET for the URL's path; rejects when the connection closes or times out first. */
  request(headers: Record<string, string> = {}): Promise<ProbeResponse> {
    if (this.isClosed) return Promise.reject(new TargetAnswerError('probe_closed', 'connection already closed by the server'));
    const { url } = this.target;
    const lines = [
      `GET ${url.pathname}${url.search} HTTP/1.1`,
      `Host: ${url.host}`,
      'User-Agent: sockcap-probe',
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    ];
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending = undefined;
        reject(new TargetAnswerError('probe_timeout', `no complete response within ${this.target.timeoutMs} ms`));
        this.destroy();
      }, this.target.timeoutMs);
      this.pending = { resolve, reject, timer };
      this.socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    });
  }

  /** Resolves once the server has closed, or after `ms`; true when it closed. */
  waitForClose(ms: number): Promise<boolean> {
    if (this.isClosed) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      this.closeWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onClosed(): void {
    if (this.closedAt !== undefined) return;
    this.closedAt = performance.now();
    // A response without a length ends with the connection.
    this.tryParse(true);
    if (this.pending) {
      clearTimeout(this.pending.timer);
      this.pending.reject(new TargetAnswerError('probe_closed', 'the server closed the connection before answering'));
      this.pending = undefined;
    }
    for (const waiter of this.closeWaiters.splice(0)) waiter();
    this.socket.destroy();
  }

  private tryParse(atClose: boolean): void {
    const pending = this.pending;
    if (!pending) return;
    const end = this.buffered.indexOf(headerEnd);
    if (end < 0) return;
    const [statusLine, ...headerLines] = this.buffered.subarray(0, end).toString('latin1').split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of headerLines) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    const body = this.buffered.subarray(end + headerEnd.length);
    const length = bodyLength(headers, body, atClose);
    if (length === undefined) return;
    this.buffered = body.subarray(length);
    clearTimeout(pending.timer);
    this.pending = undefined;
    pending.resolve({ status: Number(statusLine?.split(' ')[1] ?? 0), headers, endedAt: performance.now() });
  }
}

/** Bytes of `body` the response's body takes, or undefined while incomplete. */
function bodyLength(headers: Record<string, string>, body: Buffer, atClose: boolean): number | undefined {
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) return chunkedLength(body);
  const declared = headers['content-length'];
  if (declared !== undefined) return body.length >= Number(declared) ? Number(declared) : undefined;
  return atClose ? body.length : undefined;
}

function chunkedLength(body: Buffer): number | undefined {
  let at = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', at);
    if (lineEnd < 0) return undefined;
    const size = parseInt(body.subarray(at, lineEnd).toString('latin1'), 16);
    if (Number.isNaN(size)) return body.length;
    at = lineEnd + 2;
    if (size === 0) {
      // Trailers, if any, end with an empty line.
      const trailersEnd = body.indexOf('\r\n\r\n', at - 2);
      return trailersEnd < 0 ? undefined : trailersEnd + 4;
    }
    if (body.length < at + size + 2) return undefined;
    at += size + 2;
  }
}

/** Whether the server means to keep the connection open after this response. */
export function keepsAlive(response: ProbeResponse): boolean {
  return !/\bclose\b/i.test(response.headers.connection ?? '');
}

/** `Keep-Alive: timeout=5, max=100` → 5, when the server advertises it. */
export function advertisedTimeout(response: ProbeResponse): number | undefined {
  const match = /timeout\s*=\s*(\d+)/i.exec(response.headers['keep-alive'] ?? '');
  return match ? Number(match[1]) : undefined;
}
