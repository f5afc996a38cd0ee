// `sockcap probe <url>`: what a target does with idle and long-lived connections, found by
// trying: its keep-alive idle timeout, the requests it allows per connection, whether it
// honours `Connection: close`, and for ws:// URLs when it drops a silent WebSocket. Each
// finding says how precise it is and how long it took to find.
import { checkConnectionClose } from './connection-close.js';
import type { ProbeTarget } from './connection.js';
import { findIdleTimeout } from './idle-timeout.js';
import { findMaxRequests } from './max-requests.js';
import { findWebSocketIdle } from './websocket-idle.js';
import { http2Findings } from './http2-findings.js';
import type { Finding, ProbeOptions } from './finding.js';

export async function probe(url: URL, options: ProbeOptions): Promise<Finding[]> {
  if (url.protocol === 'ws:' || url.protocol === 'wss:') return [await webSocketFinding(url, options)];
  const target: ProbeTarget = { url, insecure: options.insecure, timeoutMs: options.timeoutMs };
  // A server that speaks HTTP/2 is probed as an HTTP/2 client would meet it.
  const h2 = await http2Findings(target, options);
  if (h2.speaksHttp2) return h2.findings;
  const idle = await idleFindings(target, options);
  const reusedAfter = (idle[0]!.details as { aliveAfterMs: number }).aliveAfterMs;
  return [...h2.findings, ...idle, await maxRequestsFinding(target, options), await connectionCloseFinding(target, options, reusedAfter)];
}

/** The idle timeout alone, for `sockcap sweep --probe`. */
export async function probeIdleTimeout(url: URL, options: ProbeOptions): Promise<Finding> {
  const [finding] = await idleFindings({ url, insecure: options.insecure, timeoutMs: options.timeoutMs }, options);
  return finding!;
}

async function idleFindings(target: ProbeTarget, options: ProbeOptions): Promise<Finding[]> {
  const found = await findIdleTimeout(target, options);
  const details = { ...found };
  const advertised: Finding = {
    key: 'advertisedKeepAlive',
    label: 'advertised Keep-Alive timeout',
    text: found.advertisedS === undefined ? 'none (no Keep-Alive: timeout= header)' : `${found.advertisedS} s`,
    value: found.advertisedS === undefined ? null : found.advertisedS * 1000,
    tookMs: 0,
    details: {},
  };
  if (found.neverKeptAlive) {
    return [
      {
        key: 'keepAliveIdleTimeout',
        label: 'keep-alive idle timeout',
        text: 'none: the server answers with Connection: close',
        value: 0,
        tookMs: found.tookMs,
        details,
      },
      advertised,
    ];
  }
  if (found.goneByMs === undefined) {
    const text = `longer than --max-idle (${seconds(found.aliveAfterMs, 1)}): a socket idle that long was still reused`;
    return [{ key: 'keepAliveIdleTimeout', label: 'keep-alive idle timeout', text, value: null, tookMs: found.tookMs, details }, advertised];
  }
  // A server's own close timer fires a few ms apart from one connection to the next, so a
  // reuse can succeed just past a close seen on another connection: the bracket is then reversed.
  const half = Math.abs(found.goneByMs - found.aliveAfterMs) / 2;
  const middle = (found.goneByMs + found.aliveAfterMs) / 2;
  // Enough decimals to show the ± itself; a millisecond is as fine as timers go.
  const digits = half >= 1 ? Math.min(3, Math.max(1, Math.ceil(-Math.log10(half / 1000)))) : 3;
  const how = found.serverClosed ? 'the server closed it' : 'reuse failed (no close seen: dropped silently, or closed as the request went out)';
  const jitter = found.goneByMs < found.aliveAfterMs ? '; the close time varies between connections' : '';
  const text =
    `${seconds(middle, digits)} (±${seconds(half, digits)}; reused after ${seconds(found.aliveAfterMs, digits)} idle, ` +
    `${how} by ${seconds(found.goneByMs, digits)}${jitter})`;
  return [
    { key: 'keepAliveIdleTimeout', label: 'keep-alive idle timeout', text, value: Math.round(middle), resolutionMs: half, tookMs: found.tookMs, details },
    advertised,
  ];
}

async function maxRequestsFinding(target: ProbeTarget, options: ProbeOptions): Promise<Finding> {
  const found = await findMaxRequests(target, options.maxRequests);
  const text =
    found.limit === undefined
      ? `no limit within ${found.sent} requests`
      : found.how === 'connection-close'
        ? `${found.limit} (response ${found.limit} said Connection: close)`
        : `${found.limit} (the server closed the connection after ${found.limit} responses)`;
  return {
    key: 'maxRequestsPerConnection',
    label: 'max requests per connection',
    text,
    value: found.limit ?? null,
    tookMs: found.tookMs,
    details: { ...found },
  };
}

/**
 * `idleMs`: how long an idle socket is known to stay open. A server that honours the header
 * closes right after its response, so the wait is half of that: waiting all of it, a probe
 * timer late by tens of ms on a busy machine saw the idle timeout's close and called it yes.
 */
async function connectionCloseFinding(target: ProbeTarget, options: ProbeOptions, idleMs: number): Promise<Finding> {
  const waitMs = Math.min(options.maxIdleMs, options.timeoutMs, idleMs > 0 ? idleMs / 2 : Infinity);
  const found = await checkConnectionClose(target, waitMs);
  const honoured = found.closedAfterMs !== undefined;
  const text = honoured
    ? `yes (${found.saidClose ? 'answered Connection: close and ' : ''}closed ${millis(found.closedAfterMs!)} after the response)`
    : `no (the connection was still open ${seconds(waitMs, 1)} after the response${found.saidClose ? ', though the response said Connection: close' : ''})`;
  return { key: 'connectionCloseHonoured', label: 'Connection: close honoured', text, value: honoured, tookMs: found.tookMs, details: { ...found } };
}

async function webSocketFinding(url: URL, options: ProbeOptions): Promise<Finding> {
  const found = await findWebSocketIdle(url, options);
  const pings = found.pingsReceived > 0 ? `; the server sent ${found.pingsReceived} ping${found.pingsReceived === 1 ? '' : 's'}, answered` : '';
  const text =
    found.droppedAfterMs === undefined
      ? `none within --max-idle (${seconds(options.maxIdleMs, 1)})${pings}`
      : `${seconds(found.droppedAfterMs, 2)} (close code ${found.code}${pings})`;
  return {
    key: 'webSocketIdleDrop',
    label: 'silent WebSocket dropped after',
    text,
    value: found.droppedAfterMs === undefined ? null : Math.round(found.droppedAfterMs),
    tookMs: found.tookMs,
    details: { ...found },
  };
}

export function seconds(ms: number, digits: number): string {
  return `${(ms / 1000).toFixed(digits)} s`;
}

function millis(ms: number): string {
  return ms >= 100 ? `${Math.round(ms)} ms` : `${ms.toFixed(1)} ms`;
}

/** One line per finding: `keep-alive idle timeout: 2.0 s (±0.1 s; …) [5.4 s to find]`. */
export function findingLine(finding: Finding): string {
  const took = finding.tookMs > 0 ? ` [${seconds(finding.tookMs, 1)} to find]` : '';
  return `${finding.label}: ${finding.text}${took}`;
}
