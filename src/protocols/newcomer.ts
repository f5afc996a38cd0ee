// How a newcomer talks to the target: a fresh TCP connection for one request with
// `Connection: close`, then gone, as a first-time visitor or a client without a pooled
// socket does. Counted apart from the step's own connections (their connect times, wire bytes
// and errors stay theirs), so the crowding figures say only what happened to newcomers.
import http from 'node:http';
import type { Recorder } from '../metrics/recorder.js';

export interface NewcomerRequest {
  target: URL;
  path: string;
  method: string;
  timeoutMs: number;
  /** The local address to send from (`sources`); undefined: the system picks. */
  localAddress: string | undefined;
}

/** The outcome counters a newcomer can end in, besides being served. */
type Turnedaway = 'newcomersRefused' | 'newcomersTimedOut';

/**
 * Sends one newcomer request; latency counts from `intendedAt` (epoch ms, `clockNow`'s
 * clock), so a newcomer kept waiting in a listen queue shows it. Returns a function that
 * abandons the request uncounted, for the end of the step.
 */
export function sendNewcomer(request: NewcomerRequest, intendedAt: number, clockNow: () => number, recorder: Recorder, finished: () => void): () => void {
  recorder.count('newcomers');
  let settled = false;
  const settle = (outcome: 'newcomersServed' | Turnedaway): void => {
    if (settled) return;
    settled = true;
    finished();
    recorder.count(outcome);
    if (outcome === 'newcomersServed') recorder.record('latency_newcomer', (clockNow() - intendedAt) * 1000);
  };
  const req = http.request({
    host: request.target.hostname.replace(/^\[|\]$/g, ''),
    port: request.target.port || 80,
    path: request.path,
    method: request.method,
    agent: false,
    ...(request.localAddress ? { localAddress: request.localAddress } : {}),
    headers: { connection: 'close' },
    timeout: request.timeoutMs,
  });
  req.on('response', (res) => {
    res.resume();
    res.once('end', () => settle('newcomersServed'));
    res.once('error', () => settle('newcomersRefused'));
  });
  // A connection the server drops at once (maxConnections reached) ends unanswered:
  // 'socket hang up' or ECONNRESET; a full listen queue or a stopped server: ECONNREFUSED.
  req.on('error', () => settle('newcomersRefused'));
  req.on('timeout', () => {
    settle('newcomersTimedOut');
    req.destroy();
  });
  req.end();
  return () => {
    settled = true;
    req.destroy();
  };
}
