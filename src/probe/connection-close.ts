// Whether the server honours a client's `Connection: close`: it should answer, say
// `Connection: close` back and close the connection itself, leaving no socket to linger.
import { performance } from 'node:perf_hooks';
import { keepsAlive, ProbeConnection, type ProbeTarget } from './connection.js';

export interface ConnectionCloseResult {
  /** The response said `Connection: close`. */
  saidClose: boolean;
  /** ms from the response to the server's close, or undefined when it kept the socket open for `waitMs`. */
  closedAfterMs: number | undefined;
  waitMs: number;
  tookMs: number;
}

export async function checkConnectionClose(target: ProbeTarget, waitMs: number): Promise<ConnectionCloseResult> {
  const startedAt = performance.now();
  const connection = await ProbeConnection.open(target);
  try {
    const response = await connection.request({ Connection: 'close' });
    const closed = await connection.waitForClose(waitMs);
    return {
      saidClose: !keepsAlive(response),
      closedAfterMs: closed ? connection.closedAt! - response.endedAt : undefined,
      waitMs,
      tookMs: performance.now() - startedAt,
    };
  } finally {
    connection.destroy();
  }
}
