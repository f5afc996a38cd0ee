// The scenario rules that follow from what each protocol declares (the workloads it runs,
// whether it receives events, whether newcomers can run beside it) and the rules of its own.
// Validation in src/scenario/ takes them as one rule: the scenario sits below the protocols.
import type { Conflict, ScenarioRule } from '../scenario/rules.js';
import type { Scenario } from '../scenario/types.js';
import { protocolModules, stepPlan } from './index.js';

const declaredRules: readonly ScenarioRule[] = [
  (s) => {
    const plan = stepPlan(s);
    return plan.workloads.includes(s.workload)
      ? undefined
      : { path: ['workload'], expected: `expected workload: ${orList(plan.workloads)} with ${plan.label} (${plan.workloadsWhy})` };
  },
  // Newcomers are plain one-request HTTP clients beside the step's HTTP connections.
  (s) =>
    s.newcomers.rate > 0 && (!protocolModules[s.protocol].newcomers || s.server.tls || (s.target !== undefined && !s.target.startsWith('http:')))
      ? { path: ['newcomers', 'rate'], expected: 'expected no newcomers except with protocol: http over plain http:// (newcomers speak HTTP without TLS)' }
      : undefined,
  // A ws:// URL says WebSocket: HTTP requests or polls sent to it are a mistake, refused before any load.
  (s) => {
    if (s.target === undefined) return undefined;
    const scheme = new URL(s.target).protocol;
    if (protocolModules[s.protocol].urlSchemes.includes(scheme)) return undefined;
    const fitting = Object.entries(protocolModules)
      .filter(([, module]) => module.urlSchemes.includes(scheme))
      .map(([name]) => name);
    return { path: ['protocol'], expected: `expected ${orList(fitting)} for the ${scheme}// target ${s.target} (or give an http:// URL for ${s.protocol})` };
  },
  // The HTTP/2 target answers requests only: no WebSocket upgrade, no event stream.
  (s) =>
    s.server.http2 && s.target === undefined && !protocolModules[s.protocol].servedOverHttp2
      ? { path: ['server', 'http2'], expected: `expected false with protocol: ${s.protocol} (the built-in HTTP/2 target serves ${http2Protocols()} only)` }
      : undefined,
  (s) => {
    const plan = stepPlan(s);
    return plan.kind === 'receive' && s.target === undefined && s.server.eventRate === 0
      ? { path: ['server', 'eventRate'], expected: `expected an event rate above 0 (like 10/s) for ${plan.label} against the built-in target` }
      : undefined;
  },
  // The transport's own path field names the endpoint; a path in the URL would silently compete with it.
  (s) => {
    const plan = stepPlan(s);
    return plan.kind === 'receive' && s.target !== undefined && new URL(s.target).pathname !== '/'
      ? { path: ['target'], expected: `expected a target URL without a path for ${plan.label} (give the path in ${plan.pathField})` }
      : undefined;
  },
];

/** Every protocol rule as the one rule validation takes: the first conflict found. */
export const protocolRules: ScenarioRule = (s: Scenario, raw): Conflict | undefined => {
  for (const rule of [...declaredRules, ...protocolModules[s.protocol].rules]) {
    const conflict = rule(s, raw);
    if (conflict) return conflict;
  }
  return undefined;
};

/** The protocol a bare target URL implies: the first registered for its scheme (ws:// → websocket). */
export function protocolForUrl(url: string): string | undefined {
  const scheme = URL.canParse(url) ? new URL(url).protocol : undefined;
  return Object.entries(protocolModules).find(([, module]) => scheme !== undefined && module.urlSchemes.includes(scheme))?.[0];
}

function http2Protocols(): string {
  return orList(
    Object.entries(protocolModules)
      .filter(([, module]) => module.servedOverHttp2)
      .map(([name]) => `protocol: ${name}`),
  );
}

function orList(items: readonly string[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}
