// The effective keep-alive idle timeout: how long a socket can sit idle after a response and
// still carry the next request. Each trial opens a connection, sends a request, idles for a
// gap and sends again; the gaps grow (0.5 s, 1 s, 2 s, … up to --max-idle) until reuse
// fails, then bisect until the answer is known to the resolution asked for. A server that
// closes idle sockets with a FIN shows the moment it does, which narrows the bracket at once;
// one that drops them silently (a NAT, some proxies) is found by the failing reuse alone.
import { performance } from 'node:perf_hooks';
import { advertisedTimeout, keepsAlive, ProbeConnection, type ProbeTarget } from './connection.js';

export interface IdleTimeoutOptions {
  maxIdleMs: number;
  resolutionMs: number;
}

export interface IdleTimeoutResult {
  /** Longest idle gap after which reuse worked, and the shortest after which the socket was gone. */
  aliveAfterMs: number;
  /** undefined: the socket was still reusable after --max-idle. */
  goneByMs: number | undefined;
  /** Whether the server closed idle sockets itself (a FIN was seen), rather than dropping them silently. */
  serverClosed: boolean;
  /** `Keep-Alive: timeout=` the server advertised, in seconds. */
  advertisedS: number | undefined;
  /** The server answered with `Connection: close`: nothing to measure. */
  neverKeptAlive: boolean;
  trials: number;
  tookMs: number;
}

interface Trial {
  alive: boolean;
  /** ms after the first response at which the server's close was seen, when it was. */
  closedAfterMs: number | undefined;
}

const firstGapMs = 500;

export async function findIdleTimeout(target: ProbeTarget, options: IdleTimeoutOptions): Promise<IdleTimeoutResult> {
  const startedAt = performance.now();
  let trials = 0;
  let advertisedS: number | undefined;
  let serverClosed = false;
  let neverKeptAlive = false;

  const trial = async (gapMs: number): Promise<Trial> => {
    trials++;
    const connection = await ProbeConnection.open(target);
    try {
      const first = await connection.request();
      advertisedS ??= advertisedTimeout(first);
      if (!keepsAlive(first)) {
        neverKeptAlive = true;
        return { alive: false, closedAfterMs: 0 };
      }
      if (await connection.waitForClose(gapMs)) {
        serverClosed = true;
        return { alive: false, closedAfterMs: connection.closedAt! - first.endedAt };
      }
      try {
        await connection.request();
        return { alive: true, closedAfterMs: undefined };
      } catch {
        return { alive: false, closedAfterMs: undefined };
      }
    } finally {
      connection.destroy();
    }
  };

  let alive = 0;
  let gone: number | undefined;
  for (const gap of growingGaps(options.maxIdleMs)) {
    const result = await trial(gap);
    if (neverKeptAlive) break;
    if (result.alive) alive = gap;
    else {
      gone = Math.min(gap, result.closedAfterMs ?? gap);
      break;
    }
  }
  // A close seen at t: the socket was open until t, so try just below it before bisecting.
  let probeNext = gone !== undefined && serverClosed ? Math.max(alive, gone - options.resolutionMs) : undefined;
  while (!neverKeptAlive && gone !== undefined && gone - alive > options.resolutionMs) {
    const gap = probeNext !== undefined && probeNext > alive ? probeNext : (alive + gone) / 2;
    probeNext = undefined;
    const result = await trial(gap);
    if (result.alive) alive = gap;
    else gone = Math.min(gap, result.closedAfterMs ?? gap);
  }
  return { aliveAfterMs: alive, goneByMs: gone, serverClosed, advertisedS, neverKeptAlive, trials, tookMs: performance.now() - startedAt };
}

/** 0.5 s, 1 s, 2 s, … and --max-idle itself as the last gap. */
function growingGaps(maxIdleMs: number): number[] {
  const gaps: number[] = [];
  for (let gap = Math.min(firstGapMs, maxIdleMs); gap < maxIdleMs; gap *= 2) gaps.push(gap);
  gaps.push(maxIdleMs);
  return gaps;
}
