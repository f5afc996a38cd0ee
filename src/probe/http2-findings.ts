// The HTTP/2 findings of `sockcap probe`, in the same shape as the HTTP/1.1 ones: the
// negotiated protocol always, and for a server that speaks HTTP/2 its stream limit, its idle
// GOAWAY and its GOAWAY after a number of requests.
import type { ProbeTarget } from './connection.js';
import { findGoawayLimit, negotiate, watchIdle, type Negotiated } from './http2.js';
import type { ProbeOptions, Finding } from './finding.js';

export function protocolFinding(found: Negotiated, tookMs: number): Finding {
  const how = found.protocol === 'h2' ? 'HTTP/2 by ALPN' : found.protocol === 'h2c' ? 'HTTP/2 with prior knowledge (h2c)' : 'no HTTP/2';
  return { key: 'negotiatedProtocol', label: 'negotiated protocol', text: `${found.protocol} (${how})`, value: null, tookMs, details: { ...found } };
}

export async function http2Findings(target: ProbeTarget, options: ProbeOptions): Promise<{ speaksHttp2: boolean; findings: Finding[] }> {
  const started = performance.now();
  const found = await negotiate(target);
  const negotiated = protocolFinding(found, performance.now() - started);
  if (found.protocol !== 'h2' && found.protocol !== 'h2c') return { speaksHttp2: false, findings: [negotiated] };
  const streams: Finding = {
    key: 'maxConcurrentStreams',
    label: 'SETTINGS_MAX_CONCURRENT_STREAMS',
    text: found.maxConcurrentStreams === undefined ? 'not set (no limit)' : String(found.maxConcurrentStreams),
    value: found.maxConcurrentStreams ?? null,
    tookMs: 0,
    details: {},
  };
  const idle = await watchIdle(target, options.maxIdleMs);
  const idleText =
    idle.afterMs === undefined
      ? `none within --max-idle (${(options.maxIdleMs / 1000).toFixed(1)} s)`
      : `${(idle.afterMs / 1000).toFixed(3)} s (${idle.goaway ? `GOAWAY ${idle.goaway.code}, last stream ${idle.goaway.lastStreamId}` : 'closed without GOAWAY'})`;
  const idleFinding: Finding = {
    key: 'http2IdleTimeout',
    label: 'HTTP/2 idle timeout',
    text: idleText,
    value: idle.afterMs === undefined ? null : Math.round(idle.afterMs),
    tookMs: idle.tookMs,
    details: { ...idle },
  };
  const limit = await findGoawayLimit(target, options.maxRequests);
  const limitText =
    limit.limit === undefined
      ? `no GOAWAY within ${limit.sent} requests`
      : `after ${limit.limit} requests (GOAWAY ${limit.goaway!.code}, last stream ${limit.goaway!.lastStreamId})`;
  const limitFinding: Finding = {
    key: 'http2MaxRequests',
    label: 'HTTP/2 GOAWAY on max requests',
    text: limitText,
    value: limit.limit ?? null,
    tookMs: limit.tookMs,
    details: { ...limit },
  };
  return { speaksHttp2: true, findings: [negotiated, streams, idleFinding, limitFinding] };
}
