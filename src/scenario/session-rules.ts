// Rules of sessions and per-connection data, checked on every scenario that will run: each
// names the field to blame and what is expected there. A template naming a variable that
// does not exist is refused here, before any load, with the names that do exist.
import { isMapping, type PathSegment } from './raw.js';
import { hasHttpSession, hasWebSocketSession, type HttpStep, type WebSocketStep } from './session-types.js';
import { knownVariables, parseTemplate, unknownVariable, type TemplateNames } from './template.js';
import type { Scenario } from './types.js';

export interface SessionConflict {
  path: PathSegment[];
  expected: string;
}

/** Every variable a session captures (expect captures, regex named groups, HTTP captures). */
export function capturedNames(steps: ReadonlyArray<WebSocketStep | HttpStep>): string[] {
  const names = new Set<string>();
  for (const step of steps) {
    if (step.kind === 'expect' || step.kind === 'request') for (const name of Object.keys(step.capture)) names.add(name);
    if (step.kind === 'expect' && step.regex !== undefined) for (const [, name] of step.regex.matchAll(/\(\?<([A-Za-z_][A-Za-z0-9_]*)>/g)) names.add(name!);
  }
  return [...names];
}

/** Each template string of the WebSocket session and headers, with where it was written. */
function* webSocketTemplates(s: Scenario): Generator<[PathSegment[], string]> {
  for (const [name, value] of Object.entries(s.websocket.headers)) yield [['websocket', 'headers', name], value];
  for (const section of ['open', 'loop'] as const) {
    for (const [i, step] of s.websocket.session[section].entries()) {
      const at: PathSegment[] = ['websocket', 'session', section, i];
      if (step.kind === 'send') {
        if (step.payload.type === 'text') yield [[...at, 'send', 'text'], step.payload.text];
        if (step.payload.type === 'json') yield* jsonStrings(step.payload.json, [...at, 'send', 'json']);
      }
      if (step.kind === 'expect') yield* jsonStrings(step.match, [...at, 'expect', 'match']);
    }
  }
}

/** Each template string of the HTTP session, with where it was written. */
function* httpTemplates(s: Scenario): Generator<[PathSegment[], string]> {
  for (const section of ['open', 'loop'] as const) {
    for (const [i, step] of s.http.session[section].entries()) {
      if (step.kind !== 'request') continue;
      const at: PathSegment[] = ['http', 'session', section, i, 'request'];
      yield [[...at, 'path'], step.path];
      for (const [name, value] of Object.entries(step.headers)) yield [[...at, 'headers', name], value];
      if (step.body !== undefined) yield [[...at, 'body'], step.body];
      yield* jsonStrings(step.json, [...at, 'json']);
      yield* jsonStrings(step.expect.match, ['http', 'session', section, i, 'expect', 'match']);
    }
  }
}

function* jsonStrings(value: unknown, at: PathSegment[]): Generator<[PathSegment[], string]> {
  if (typeof value === 'string') yield [at, value];
  else if (Array.isArray(value)) for (const [i, item] of value.entries()) yield* jsonStrings(item, [...at, i]);
  else if (isMapping(value)) for (const [key, item] of Object.entries(value)) yield* jsonStrings(item, [...at, key]);
}

function templateConflict(
  s: Scenario,
  steps: ReadonlyArray<WebSocketStep | HttpStep>,
  templates: Iterable<[PathSegment[], string]>,
): SessionConflict | undefined {
  const names: TemplateNames = { columns: s.data.columns, captures: capturedNames(steps) };
  for (const [path, text] of templates) {
    const unknown = unknownVariable(parseTemplate(text), names);
    if (unknown) return { path, expected: `unknown template variable ${unknown} (known: ${knownVariables(names).join(', ')})` };
  }
  return undefined;
}

/** A correlated expect needs the send before it to carry the field its reply is matched on. */
function replyConflict(s: Scenario): SessionConflict | undefined {
  for (const section of ['open', 'loop'] as const) {
    let lastSend: WebSocketStep | undefined;
    for (const [i, step] of s.websocket.session[section].entries()) {
      if (step.kind === 'send') lastSend = step;
      if (step.kind !== 'expect' || step.reply === undefined) continue;
      const path: PathSegment[] = ['websocket', 'session', section, i, 'expect', 'reply'];
      if (lastSend?.kind !== 'send' || lastSend.payload.type !== 'json') {
        return { path, expected: `expected a send of json before it in ${section} (the reply is matched on a field of what was sent)` };
      }
      if (fieldOf(lastSend.payload.json, step.reply.split('.')) === undefined) {
        return { path, expected: `expected a field that the json sent before it has (add ${step.reply} to that send, like id: "{{seq}}")` };
      }
    }
  }
  return undefined;
}

function fieldOf(value: unknown, path: readonly string[]): unknown {
  let node = value;
  for (const key of path) node = isMapping(node) && Object.hasOwn(node, key) ? node[key] : undefined;
  return node;
}

type SessionRule = (s: Scenario) => SessionConflict | undefined;

/** Per-connection data, whatever the protocol. */
export const dataRule: SessionRule = (s) =>
  s.data.unique && s.connections > s.data.rows
    ? {
        path: ['connections'],
        expected: `expected at most ${s.data.rows} connections: data.unique is true and ${s.data.file ?? 'the data file'} has ${s.data.rows} rows (add rows, lower connections, or drop unique to reuse rows i mod ${s.data.rows})`,
      }
    : undefined;

const pacedByWorkload: SessionRule = (s) =>
  s.workload !== 'closed' && s.workload !== 'arrival-rate'
    ? { path: ['workload'], expected: 'expected closed or arrival-rate with a session (the workload paces its loop)' }
    : undefined;

/** The session rules of protocol: websocket (its module in src/protocols/ applies them). */
export const webSocketSessionRules: readonly SessionRule[] = [
  (s) =>
    s.websocket.mode === 'subscribe' && s.websocket.session.loop.length > 0
      ? {
          path: ['websocket', 'session', 'loop'],
          expected: 'expected no loop steps with websocket.mode: subscribe (its clients only receive; use websocket.mode: echo to send a loop)',
        }
      : undefined,
  (s) =>
    s.websocket.mode === 'echo' && hasWebSocketSession(s.websocket.session) && s.websocket.session.loop.length === 0
      ? {
          path: ['websocket', 'session', 'loop'],
          expected: 'expected loop steps for the workload to send, or websocket.mode: subscribe for a session that only receives pushed events',
        }
      : undefined,
  (s) => (s.websocket.mode === 'echo' && hasWebSocketSession(s.websocket.session) ? pacedByWorkload(s) : undefined),
  replyConflict,
  (s) => templateConflict(s, [...s.websocket.session.open, ...s.websocket.session.loop], webSocketTemplates(s)),
];

/** The session rules of protocol: http (its module in src/protocols/ applies them). */
export const httpSessionRules: readonly SessionRule[] = [
  (s) => (hasHttpSession(s.http.session) ? pacedByWorkload(s) : undefined),
  (s) =>
    hasHttpSession(s.http.session) && s.http.session.loop.length === 0
      ? { path: ['http', 'session', 'loop'], expected: 'expected loop steps for the workload to send' }
      : undefined,
  (s) =>
    hasHttpSession(s.http.session) && s.http.pipelining > 1
      ? { path: ['http', 'pipelining'], expected: 'expected 1 with http.session (a session waits for each answer before its next request)' }
      : undefined,
  (s) => templateConflict(s, [...s.http.session.open, ...s.http.session.loop], httpTemplates(s)),
];
