// How many requests the server lets one connection carry: requests back to back on one
// socket until the server says `Connection: close` or closes it, up to a bound.
import { performance } from 'node:perf_hooks';
import { keepsAlive, ProbeConnection, type ProbeTarget } from './connection.js';

export interface MaxRequestsResult {
  /** Responses the connection carried before the server ended it; undefined when it never did within the bound. */
  limit: number | undefined;
  /** Requests sent (the bound, when no limit was met). */
  sent: number;
  /** How the server ended it. */
  how: 'connection-close' | 'closed' | undefined;
  tookMs: number;
}

export async function findMaxRequests(target: ProbeTarget, bound: number): Promise<MaxRequestsResult> {
  const startedAt = performance.now();
  const connection = await ProbeConnection.open(target);
  let answered = 0;
  try {
    while (answered < bound) {
      let response;
      try {
        response = await connection.request();
      } catch {
        return { limit: answered, sent: answered + 1, how: 'closed', tookMs: performance.now() - startedAt };
      }
      answered++;
      if (!keepsAlive(response)) return { limit: answered, sent: answered, how: 'connection-close', tookMs: performance.now() - startedAt };
    }
    return { limit: undefined, sent: answered, how: undefined, tookMs: performance.now() - startedAt };
  } finally {
    connection.destroy();
  }
}
