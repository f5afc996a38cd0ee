// The summary columns that prove multiplexing and show HTTP/2's connection events: which
// version the connections spoke, the most streams one connection carried at once, requests
// per connection, the server's stream limit, GOAWAYs, refused and reset streams. HTTP/2-only
// columns are empty for HTTP/1.1 steps: nothing was measured there.
import type { Counters } from '../metrics/counters.js';
import type { http2Columns } from '../metrics/summary-columns.js';
import type { StepResult } from './run-result.js';
import { round } from './number-format.js';

export function http2Fields(result: StepResult): Record<(typeof http2Columns)[number], string | number> {
  const { totals } = result;
  const blank = { http_version: '', streams_peak_per_conn: '', requests_per_conn: '', server_max_streams: '', goaways: '', goaway_last_stream_id: '', streams_refused: '', stream_resets: '' };
  const version = spokenVersion(result);
  if (version === '') return blank;
  // Sockets that carried the requests: those held at the peak, or more when connections came and went.
  const sockets = Math.max(result.connectionsPeak, totals.connectionsOpened);
  const perConn = { requests_per_conn: sockets > 0 ? round(totals.requests / sockets, 1) : '' };
  if (version === '1.1') return { ...blank, http_version: version, ...perConn };
  // Connections live across warm-up and measurement: their peaks and limits count from both.
  const peak = (name: 'streamsPeakPerConn' | 'serverMaxStreams' | 'goawayLastStreamId'): number =>
    Math.max(totals[name], result.warmupTotals[name]);
  return {
    http_version: version,
    streams_peak_per_conn: peak('streamsPeakPerConn') || '',
    ...perConn,
    server_max_streams: peak('serverMaxStreams') || '',
    goaways: totals.goaways,
    goaway_last_stream_id: peak('goawayLastStreamId') || '',
    streams_refused: totals.streamsRefused,
    stream_resets: totals.streamResets,
  };
}

/** What the step's HTTP connections spoke: `1.1`, `2`, `1.1+2` when some spoke each (`auto`); empty when no HTTP connection opened. */
export function spokenVersion(result: StepResult): string {
  const h2 = connections(result.totals, result.warmupTotals, 'connectionsHttp2');
  const h1 = connections(result.totals, result.warmupTotals, 'connectionsHttp1');
  if (h2 > 0 && h1 > 0) return '1.1+2';
  if (h2 > 0) return '2';
  return h1 > 0 ? '1.1' : '';
}

/** The console's word on `http.version: auto` falling back to HTTP/1.1; undefined when it did not. */
export function autoFallbackNote(result: StepResult): string | undefined {
  if (result.step.http.version !== 'auto') return undefined;
  const h1 = connections(result.totals, result.warmupTotals, 'connectionsHttp1');
  if (h1 === 0) return undefined;
  const h2 = connections(result.totals, result.warmupTotals, 'connectionsHttp2');
  const plain = (result.step.target ?? (result.step.server.tls ? 'https:' : 'http:')).startsWith('http:');
  const why = plain ? 'a plain http:// target has no ALPN; http.version: 2 speaks h2c' : "the server's ALPN did not offer h2";
  return `note: http.version auto in step ${result.step.stepLabel}: ${h1} connection${h1 === 1 ? '' : 's'} fell back to HTTP/1.1, ${h2} spoke HTTP/2 (${why})`;
}

function connections(totals: Counters, warmup: Counters, name: 'connectionsHttp1' | 'connectionsHttp2'): number {
  return totals[name] + warmup[name];
}
