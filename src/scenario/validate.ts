// Turns the raw object of a scenario file into the typed scenarios sockcap runs, or into one
// precise line about the first thing wrong. Each key's rule is a parser (from parsers.ts) in a
// field table, nested for http, websocket, server and stages; rules that tie fields together
// are one list. Adding a field is a line in a table, never a new branch.

import { ScenarioError } from '../errors.js';
import { thresholdList } from '../gate/threshold-field.js';
import { processCount, sources } from './capacity-fields.js';
import { defaults, maxProcesses, maxWorkers } from './defaults.js';
import {
  Invalid,
  above,
  atLeast,
  boolean,
  duration,
  headers,
  jsonField,
  list,
  nonEmptyText,
  oneOf,
  optionalJsonField,
  parseMapping,
  queryParameter,
  rate,
  reject,
  requestPath,
  size,
  stageTarget,
  target,
  text,
  whole,
  type Fields,
  type Shape,
} from './parsers.js';
import { pemFile } from './pem-file.js';
import { formatPath, isMapping, own, showValue, valueAt, type PathSegment, type RawMapping } from './raw.js';
import {
  httpMethods,
  protocols,
  workloads,
  webSocketModes,
  type EventSettings,
  type HttpSettings,
  type ReconnectSettings,
  type LongPollSettings,
  type NewcomerSettings,
  type PollSettings,
  type ResolvedScenario,
  type Scenario,
  type ServerSettings,
  type Stage,
  type StepScenario,
  type TlsSettings,
  type WebSocketSettings,
} from './types.js';
import { formatDuration } from './units.js';
import { receiveMode } from './receive-mode.js';
import { meanThinkTime, thinkTime } from './think-time.js';

// ---- the tables ----

// Node's http.Server refuses fractional milliseconds for its timeouts.
const serverTimeout = duration({ ...atLeast(0), wholeUnits: true });

const stageShape: Shape<Stage> = { fields: { duration: duration(above(0)), target: stageTarget } };

const httpShape: Shape<HttpSettings> = {
  fields: {
    method: oneOf(httpMethods, (s) => s.toUpperCase()),
    path: requestPath,
    headers,
    body: text,
    keepAlive: boolean,
    // undici refuses a keepAliveTimeout of 0.
    keepAliveTimeout: duration(above(0)),
    honourServerHint: boolean,
    keepAliveTimeoutThreshold: duration(atLeast(0)),
    pipelining: whole(1, 1000),
    timeout: duration(atLeast(0)),
  },
};

const websocketShape: Shape<WebSocketSettings> = {
  fields: {
    path: requestPath,
    messageSize: size(atLeast(1)),
    binary: boolean,
    perMessageDeflate: boolean,
    handshakeTimeout: duration(above(0)),
    mode: oneOf(webSocketModes),
    subscribePath: requestPath,
    pingInterval: duration(atLeast(0)),
    pingTimeout: duration(above(0)),
  },
};

const pollShape: Shape<PollSettings> = {
  fields: { path: requestPath, interval: duration(above(0)), jitter: boolean },
};

const longPollShape: Shape<LongPollSettings> = {
  fields: { path: requestPath, timeout: duration(above(0)) },
};

const eventsShape: Shape<EventSettings> = {
  fields: {
    sequenceField: jsonField,
    timestampField: optionalJsonField,
    eventsField: optionalJsonField,
    sinceParam: queryParameter,
  },
};

const serverShape: Shape<ServerSettings> = {
  fields: {
    responseSize: size(atLeast(0)),
    responseDelay: duration(atLeast(0)),
    keepAliveTimeout: serverTimeout,
    headersTimeout: serverTimeout,
    requestTimeout: serverTimeout,
    maxRequestsPerSocket: whole(0),
    maxConnections: whole(0),
    eventRate: rate(atLeast(0)),
    eventBurst: whole(1, 100_000),
    // Above 0: a hold of 0 would turn every long-poll into a short poll.
    longPollTimeout: duration({ ...above(0), wholeUnits: true }),
    eventSize: size(atLeast(0)),
    tls: boolean,
    cert: pemFile('certificate'),
    key: pemFile('private key'),
    processes: processCount(maxProcesses),
  },
};

const newcomerShape: Shape<NewcomerSettings> = {
  fields: { rate: rate(atLeast(0)), timeout: duration(above(0)) },
};

const reconnectShape: Shape<ReconnectSettings> = {
  fields: { backoff: duration(atLeast(0)), maxBackoff: duration(atLeast(0)), jitter: boolean, dropAt: duration(atLeast(0)) },
};

const tlsShape: Shape<TlsSettings> = {
  fields: {
    ca: pemFile('certificate'),
    servername: nonEmptyText,
    cert: pemFile('certificate'),
    key: pemFile('private key'),
    insecure: boolean,
    resume: boolean,
  },
};

const scenarioFields: Fields<Scenario> = {
  name: nonEmptyText,
  target,
  protocol: oneOf(protocols),
  workload: oneOf(workloads),
  connections: whole(1),
  duration: duration(above(0)),
  warmup: duration(atLeast(0)),
  interval: duration(atLeast(100)),
  workers: whole(1, maxWorkers),
  thinkTime,
  rate: rate(atLeast(0)),
  stages: list((value, path) => parseMapping(value, path, stageShape, undefined), '[{ duration: 30s, target: 100 }]'),
  maxQueue: whole(0),
  newcomers: (value, path) => parseMapping(value, path, newcomerShape, defaults.newcomers),
  http: (value, path) => parseMapping(value, path, httpShape, defaults.http),
  websocket: (value, path) => parseMapping(value, path, websocketShape, defaults.websocket),
  poll: (value, path) => parseMapping(value, path, pollShape, defaults.poll),
  longPoll: (value, path) => parseMapping(value, path, longPollShape, defaults.longPoll),
  events: (value, path) => parseMapping(value, path, eventsShape, defaults.events),
  server: (value, path) => parseMapping(value, path, serverShape, defaults.server),
  tls: (value, path) => parseMapping(value, path, tlsShape, defaults.tls),
  processes: processCount(maxProcesses),
  sources,
  connectRate: rate(atLeast(0)),
  reconnect: (value, path) => parseMapping(value, path, reconnectShape, defaults.reconnect),
  thresholds: thresholdList,
};

const nestedNames = [
  ...Object.keys(httpShape.fields).map((key) => `http.${key}`),
  ...Object.keys(websocketShape.fields).map((key) => `websocket.${key}`),
  ...Object.keys(pollShape.fields).map((key) => `poll.${key}`),
  ...Object.keys(longPollShape.fields).map((key) => `longPoll.${key}`),
  ...Object.keys(eventsShape.fields).map((key) => `events.${key}`),
  ...Object.keys(serverShape.fields).map((key) => `server.${key}`),
  ...Object.keys(tlsShape.fields).map((key) => `tls.${key}`),
  ...Object.keys(newcomerShape.fields).map((key) => `newcomers.${key}`),
];
const baseShape: Shape<Scenario> = { fields: scenarioFields, readElsewhere: ['steps'], nested: nestedNames };
// Inside a step `name` is the step's label (taken out before merging) and `steps` is unknown.
const stepShape: Shape<Scenario> = { fields: scenarioFields, nested: nestedNames };

// ---- rules between fields, checked on every scenario that will run ----

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

function checkRules(scenario: Scenario, raw: RawMapping): void {
  for (const check of crossChecks) {
    const conflict = check(scenario, raw);
    if (conflict) reject(conflict.path, conflict.expected, valueAt(raw, conflict.path));
  }
}

// ---- steps ----

function resolveSteps(raw: RawMapping, base: Scenario, fallback: Scenario): StepScenario[] {
  const steps = own(raw, 'steps');
  // No steps, or an emptied list: the base is the one step, so the rules apply to it.
  if (steps === undefined || (Array.isArray(steps) && steps.length === 0)) {
    checkRules(base, raw);
    return [{ ...structuredClone(base), stepIndex: 0, stepLabel: 'main' }];
  }
  if (!Array.isArray(steps)) reject(['steps'], 'expected a list of steps, each a mapping of the fields it changes', steps);
  const baseRaw = Object.fromEntries(Object.entries(raw).filter(([key]) => key !== 'steps'));
  const names = new Set<string>();
  return steps.map((step, index) => resolveStep(step, index, baseRaw, fallback, names));
}

function resolveStep(step: unknown, index: number, baseRaw: RawMapping, fallback: Scenario, names: Set<string>): StepScenario {
  const at: PathSegment[] = ['steps', index];
  if (!isMapping(step)) reject(at, 'expected a mapping of the fields this step changes, like { connections: 200 }', step);
  const { name, ...overrides } = step;
  const stepLabel = name === undefined ? overrideLabel(overrides) || formatPath(at) : stepName(name, [...at, 'name'], names);
  // The base passed field by field already, so whatever fails now is this step's doing.
  try {
    const merged = mergeRaw(baseRaw, overrides);
    const scenario = parseMapping(merged, [], stepShape, fallback);
    checkRules(scenario, merged);
    return { ...scenario, stepIndex: index, stepLabel };
  } catch (err) {
    if (err instanceof Invalid) throw new Invalid([...at, ...err.path], err.problem);
    throw err;
  }
}

// Labels name rows in summary.csv; two steps with one name would be indistinguishable there.
function stepName(name: unknown, path: PathSegment[], used: Set<string>): string {
  const label = nonEmptyText(name, path);
  if (used.has(label)) reject(path, 'expected a name no other step uses', name);
  used.add(label);
  return label;
}

/** `http.keepAlive=false connections=200`: what the step changes, as --set would write it. */
function overrideLabel(overrides: RawMapping, prefix: PathSegment[] = []): string {
  return Object.entries(overrides)
    .map(([key, value]) =>
      isMapping(value) && Object.keys(value).length > 0
        ? overrideLabel(value, [...prefix, key])
        : `${formatPath([...prefix, key])}=${typeof value === 'string' ? value : showValue(value)}`,
    )
    .join(' ');
}

/** Mappings merge key by key; anything else in `over` (lists included) replaces. */
function mergeRaw(base: RawMapping, over: RawMapping): RawMapping {
  const keys = new Set([...Object.keys(base), ...Object.keys(over)]);
  return Object.fromEntries(
    [...keys].map((key) => {
      const kept = own(base, key);
      if (!Object.hasOwn(over, key)) return [key, kept];
      const given = over[key];
      return [key, isMapping(kept) && isMapping(given) ? mergeRaw(kept, given) : given];
    }),
  );
}

// ---- entry point ----

export interface ValidateOptions {
  /** What messages name as the source: the path as the user typed it. */
  where: string;
  /** The scenario's name when the file gives none (its basename). */
  name: string;
  /** Paths given with --set: problems at or under them are reported against `--set`. */
  overridden?: readonly string[];
}

/**
 * The typed base scenario and its steps. Field rules apply to the base and to every step;
 * rules between fields apply to what runs (the steps), so a base that only becomes complete
 * in each step (`workload: arrival-rate` with a rate per step) is fine.
 */
export function validateScenario(raw: RawMapping, options: ValidateOptions): ResolvedScenario {
  try {
    const fallback: Scenario = { ...defaults, name: options.name };
    const base = parseMapping(raw, [], baseShape, fallback);
    return { source: options.where, base, steps: resolveSteps(raw, base, fallback), raw };
  } catch (err) {
    if (!(err instanceof Invalid)) throw err;
    const field = formatPath(err.path);
    const fromFlag = options.overridden?.some((set) => field === set || field.startsWith(`${set}.`) || field.startsWith(`${set}[`));
    throw new ScenarioError(fromFlag ? '--set' : options.where, field, err.problem);
  }
}
