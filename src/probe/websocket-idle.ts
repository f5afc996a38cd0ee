// After how long of silence the target, or a proxy in front of it, drops a WebSocket: the
// probe opens one, sends nothing (pings from the server are still answered, as every
// client does) and waits for the close, up to --max-idle.
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { TargetUnreachableError } from '../errors.js';

export interface WebSocketIdleResult {
  /** ms from the open to the close, or undefined when it was still open after --max-idle. */
  droppedAfterMs: number | undefined;
  /** The close code (1006: closed without a close frame, as a proxy cutting TCP does). */
  code: number | undefined;
  /** Pings the server sent while the socket idled (they keep some proxies' idle timers from firing). */
  pingsReceived: number;
  tookMs: number;
}

export function findWebSocketIdle(url: URL, options: { maxIdleMs: number; timeoutMs: number; insecure: boolean }): Promise<WebSocketIdleResult> {
  const startedAt = performance.now();
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: options.timeoutMs, rejectUnauthorized: !options.insecure });
    let openedAt: number | undefined;
    let pingsReceived = 0;
    let timer: NodeJS.Timeout | undefined;
    let finished = false;
    const finish = (droppedAfterMs: number | undefined, code: number | undefined): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      resolve({ droppedAfterMs, code, pingsReceived, tookMs: performance.now() - startedAt });
    };
    socket.on('ping', () => pingsReceived++);
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (openedAt === undefined) reject(new TargetUnreachableError(url.href, error.code ?? error.message, 'check that it accepts WebSocket upgrades'));
    });
    socket.once('open', () => {
      openedAt = performance.now();
      timer = setTimeout(() => {
        finish(undefined, undefined);
        socket.terminate();
      }, options.maxIdleMs);
    });
    socket.once('close', (code: number) => {
      if (openedAt !== undefined) finish(performance.now() - openedAt, code);
    });
  });
}
