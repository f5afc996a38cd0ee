// Rules that tie fields together, checked on every scenario that will run (each step when
// there are steps): each returns the field to blame and what is expected there.
import { reject } from './parsers.js';
import { valueAt, type PathSegment, type RawMapping } from './raw.js';
import type { Scenario } from './types.js';
import { formatDuration } from './units.js';
import { receiveMode } from './receive-mode.js';
import { meanThinkTime } from './think-time.js';
import { sessionConflict } from './session-rules.js';

interface Conflict {
  path: PathSegment[];
  expected: string;
}

const crossChecks: ReadonlyArray<(s: Scenario, raw: RawMapping) => Conflict | undefined> = [
  (s) =>
    s.workload === 'arrival-rate' && s.rate === 0 && s.stages.length === 0
      ? { path: ['rate'], expected: 'expected a rate above 0 (like 2000/s) or a stages list for workload: arrival-rate' }
      : undefined,
  (s) =>
    s.workload === 'closed' && s.rate > 0
      ? { path: ['rate'], expected: 'expected no rate with workload: closed (set workload: arrival-rate to send at a fixed rate)' }
      : undefined,
  (s) =>
    s.workload === 'arrival-rate' && meanThinkTime(s.thinkTime) > 0
      ? { path: ['thinkTime'], expected: 'expected no thinkTime with workload: arrival-rate (the rate sets the pace there)' }
      : undefined,
  // In a closed workload a stage's target is a connection count, not a rate.
  (s, raw) => {
    if (s.workload !== 'closed') return undefined;
    const i = s.stages.findIndex((stage, n) => !Number.isInteger(stage.target) || typeof valueAt(raw, ['stages', n, 'target']) === 'string');
    return i < 0 ? undefined : { path: ['stages', i, 'target'], expected: 'expected a whole number of connections for workload: closed' };
  },
  (s) =>
    s.protocol === 'tcp' && !['hold', 'connect', 'reconnect-storm'].includes(s.workload)
      ? { path: ['workload'], expected: 'expected hold, connect or reconnect-storm with protocol: tcp (a bare connection has no request to send)' }
      : undefined,
  // Stages move how many of the opened connections are active, so enough must be opened.
  (s) => {
    if (s.workload !== 'closed' || s.stages.length === 0) return undefined;
    const peak = Math.max(...s.stages.map((stage) => stage.target));
    return s.connections >= peak
      ? undefined
      : { path: ['connections'], expected: `expected at least the largest stage target (${peak}) for workload: closed with stages` };
  },
  // Newcomers are plain one-request HTTP clients beside the step's HTTP connections.
  (s) =>
    s.newcomers.rate > 0 && (s.protocol !== 'http' || s.server.tls || (s.target !== undefined && !s.target.startsWith('http:')))
      ? { path: ['newcomers', 'rate'], expected: 'expected no newcomers except with protocol: http over plain http:// (newcomers speak HTTP without TLS)' }
      : undefined,
  // A certificate is useless without its key, and the other way round.
  (s) => pairCheck('tls', s.tls.cert, s.tls.key),
  (s) => pairCheck('server', s.server.cert, s.server.key),
  (s) =>
    s.server.cert !== undefined && !s.server.tls
      ? { path: ['server', 'tls'], expected: 'expected true when server.cert is given (the built-in target serves it only over TLS)' }
      : undefined,
  // The HTTP/2 target answers requests only: no WebSocket upgrade, no event stream.
  (s) =>
    s.server.http2 && s.target === undefined && s.protocol !== 'http'
      ? { path: ['server', 'http2'], expected: `expected false with protocol: ${s.protocol} (the built-in HTTP/2 target serves protocol: http only)` }
      : undefined,
  // Node's http.Server throws at startup otherwise.
  (s) =>
    s.server.requestTimeout > 0 && s.server.headersTimeout > s.server.requestTimeout
      ? { path: ['server', 'headersTimeout'], expected: `expected at most server.requestTimeout (${formatDuration(s.server.requestTimeout)})` }
      : undefined,
  // Receive-driven steps (poll, long-poll, websocket subscribe) wait for events: no send schedule applies.
  (s) =>
    receiveMode(s) && s.workload !== 'closed'
      ? { path: ['workload'], expected: `expected no workload: ${s.workload} with ${receiveLabel(s)} (clients wait for events; poll.interval sets the polling pace)` }
      : undefined,
  (s) =>
    receiveMode(s) && s.target === undefined && s.server.eventRate === 0
      ? { path: ['server', 'eventRate'], expected: `expected an event rate above 0 (like 10/s) for ${receiveLabel(s)} against the built-in target` }
      : undefined,
  (s) =>
    receiveMode(s) === 'long-poll' && s.target === undefined && s.longPoll.timeout <= s.server.longPollTimeout
      ? { path: ['longPoll', 'timeout'], expected: `expected more than server.longPollTimeout (${formatDuration(s.server.longPollTimeout)}), so the server ends an idle hold, not the client` }
      : undefined,
  // The transport's own path field names the endpoint; a path in the URL would silently compete with it.
  (s) =>
    receiveMode(s) && s.target !== undefined && new URL(s.target).pathname !== '/'
      ? { path: ['target'], expected: `expected a target URL without a path for ${receiveLabel(s)} (give the path in ${pathField(s)})` }
      : undefined,
  sessionConflict,
];

function pairCheck(section: 'tls' | 'server', cert: string | undefined, key: string | undefined): Conflict | undefined {
  if ((cert === undefined) === (key === undefined)) return undefined;
  const missing = cert === undefined ? 'cert' : 'key';
  const given = cert === undefined ? 'key' : 'cert';
  return { path: [section, missing], expected: `expected a PEM file here too, since ${section}.${given} is given` };
}

function receiveLabel(s: Scenario): string {
  return receiveMode(s) === 'subscribe' ? 'protocol: websocket with websocket.mode: subscribe' : `protocol: ${s.protocol}`;
}

function pathField(s: Scenario): string {
  const mode = receiveMode(s);
  return mode === 'poll' ? 'poll.path' : mode === 'long-poll' ? 'longPoll.path' : 'websocket.subscribePath';
}

export function checkRules(scenario: Scenario, raw: RawMapping): void {
  for (const check of crossChecks) {
    const conflict = check(scenario, raw);
    if (conflict) reject(conflict.path, conflict.expected, valueAt(raw, conflict.path));
  }
}

