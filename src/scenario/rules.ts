// Rules that tie fields together, checked on every scenario that will run (each step when
// there are steps): each returns the field to blame and what is expected there.
import { reject } from './parsers.js';
import { valueAt, type PathSegment, type RawMapping } from './raw.js';
import type { Scenario } from './types.js';
import { formatDuration } from './units.js';
import { meanThinkTime } from './think-time.js';
import { dataRule } from './session-rules.js';

/** A field to blame and what is expected there: reported as one line naming the field. */
export interface Conflict {
  path: PathSegment[];
  expected: string;
}

/**
 * A rule between fields. The protocols' rules (the workloads each supports, its own fields)
 * are declared in src/protocols/ and handed to validation from there, since the scenario
 * sits below the protocols.
 */
export type ScenarioRule = (s: Scenario, raw: RawMapping) => Conflict | undefined;

const crossChecks: readonly ScenarioRule[] = [
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
  // Stages move how many of the opened connections are active, so enough must be opened.
  (s) => {
    if (s.workload !== 'closed' || s.stages.length === 0) return undefined;
    const peak = Math.max(...s.stages.map((stage) => stage.target));
    return s.connections >= peak
      ? undefined
      : { path: ['connections'], expected: `expected at least the largest stage target (${peak}) for workload: closed with stages` };
  },
  // A certificate is useless without its key, and the other way round.
  (s) => pairCheck('tls', s.tls.cert, s.tls.key),
  (s) => pairCheck('server', s.server.cert, s.server.key),
  (s) =>
    s.server.cert !== undefined && !s.server.tls
      ? { path: ['server', 'tls'], expected: 'expected true when server.cert is given (the built-in target serves it only over TLS)' }
      : undefined,
  // Node's http.Server throws at startup otherwise.
  (s) =>
    s.server.requestTimeout > 0 && s.server.headersTimeout > s.server.requestTimeout
      ? { path: ['server', 'headersTimeout'], expected: `expected at most server.requestTimeout (${formatDuration(s.server.requestTimeout)})` }
      : undefined,
  dataRule,
];

function pairCheck(section: 'tls' | 'server', cert: string | undefined, key: string | undefined): Conflict | undefined {
  if ((cert === undefined) === (key === undefined)) return undefined;
  const missing = cert === undefined ? 'cert' : 'key';
  const given = cert === undefined ? 'key' : 'cert';
  return { path: [section, missing], expected: `expected a PEM file here too, since ${section}.${given} is given` };
}

export function checkRules(scenario: Scenario, raw: RawMapping, protocolRules: ScenarioRule): void {
  for (const check of [...crossChecks, protocolRules]) {
    const conflict = check(scenario, raw);
    if (conflict) reject(conflict.path, conflict.expected, valueAt(raw, conflict.path));
  }
}
