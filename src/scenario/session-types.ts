// The types of scripted sessions (`websocket.session`, `http.session`) and of per-connection
// data, after loading. Text that may hold `{{…}}` templates stays as written; it is parsed at
// load to be checked, and compiled once per connection by src/protocols/session/.
import { isMapping } from './raw.js';
import type { HttpMethod } from './http-method.js';

type Millis = number;

/** `data:` — the file the rows come from; columns and row count are read at load. */
export interface DataSettings {
  /** Absolute path of a .csv or .jsonl file; undefined: no per-connection data. */
  file: string | undefined;
  /** Refuse a step with more connections than rows, instead of reusing rows (i mod rows). */
  unique: boolean;
  columns: string[];
  rows: number;
}

export type SessionPayload = { type: 'text'; text: string } | { type: 'json'; json: unknown } | { type: 'binary'; base64: string };

/** What every step has: the name error codes and `reply:<name>` use, and whether the user gave it. */
interface StepName {
  name: string;
  named: boolean;
}

export interface SendStep extends StepName {
  kind: 'send';
  payload: SessionPayload;
}

export interface ExpectStep extends StepName {
  kind: 'expect';
  /** JSON fields the message must have (nested mappings, equality); undefined: any message. */
  match: unknown;
  /** A regular expression the message text must match; its named groups are captured. */
  regex: string | undefined;
  /** Correlate: wait for the message whose field (dotted path) equals the one just sent. */
  reply: string | undefined;
  timeout: Millis;
  /** Variable name → dotted JSON path in the matched message. */
  capture: Record<string, string>;
}

export interface PauseStep extends StepName {
  kind: 'pause';
  duration: Millis;
}

export type WebSocketStep = SendStep | ExpectStep | PauseStep;

/** Which messages are pushed events, and where their sequence number and publish time are. */
export interface PushSettings {
  match: unknown;
  sequence: string;
  /** Empty: the events carry no publish time, delivery latency is not measured. */
  timestamp: string;
}

export interface WebSocketSession {
  /** Once per connection, in order; a failure ends the connection's session. */
  open: WebSocketStep[];
  /** Once per send of the workload (closed, arrival-rate). */
  loop: WebSocketStep[];
  push: PushSettings | undefined;
}

export interface HttpExpect {
  /** Accepted statuses; empty: any status below 400. */
  status: number[];
  match: unknown;
  /** Header name → regular expression its value must match. */
  headers: Record<string, string>;
}

export interface HttpRequestStep extends StepName {
  kind: 'request';
  method: HttpMethod;
  path: string;
  headers: Record<string, string>;
  /** Text body, or a JSON body (sent with content-type application/json); at most one. */
  body: string | undefined;
  json: unknown;
  expect: HttpExpect;
  /** Variable name → dotted JSON path in the response body, or `header:<name>`. */
  capture: Record<string, string>;
}

export type HttpStep = HttpRequestStep | PauseStep;

export interface HttpSession {
  open: HttpStep[];
  loop: HttpStep[];
}

export function hasWebSocketSession(session: WebSocketSession): boolean {
  return session.open.length > 0 || session.loop.length > 0 || session.push !== undefined;
}

export function hasHttpSession(session: HttpSession): boolean {
  return session.open.length > 0 || session.loop.length > 0;
}

/** Whether the step runs a scripted session: the section named after its protocol (`websocket`, `http`) holds one. */
export function hasSession(step: { protocol: string }): boolean {
  const session = sessionOf(step);
  if (!session) return false;
  const { open, loop, push } = session;
  return (Array.isArray(open) && open.length > 0) || (Array.isArray(loop) && loop.length > 0) || push !== undefined;
}

/**
 * The named session steps whose reply is timed as `reply:<name>`: the loop's expects
 * (WebSocket) and requests (HTTP), in the order the session lists them.
 */
export function timedStepNames(step: { protocol: string }): string[] {
  const loop = sessionOf(step)?.loop;
  if (!Array.isArray(loop)) return [];
  const names: string[] = [];
  for (const entry of loop as unknown[]) {
    if (!isMapping(entry) || !entry.named || (entry.kind !== 'expect' && entry.kind !== 'request')) continue;
    if (typeof entry.name === 'string' && !names.includes(entry.name)) names.push(entry.name);
  }
  return names;
}

/** Whether the step's session takes pushed events (`session.push`): their sequence numbers are then tracked. */
export function sessionTakesPushes(step: { protocol: string }): boolean {
  return sessionOf(step)?.push !== undefined;
}

function sessionOf(step: { protocol: string }): Record<string, unknown> | undefined {
  const section: unknown = (step as Record<string, unknown>)[step.protocol];
  return isMapping(section) && isMapping(section.session) ? section.session : undefined;
}

/**
 * Whether the step's session speaks in messages (WebSocket `send`/`expect` steps or `push`),
 * so that messages nothing expected can be counted; an HTTP session has none.
 */
export function hasMessageSession(step: { protocol: string }): boolean {
  const session = sessionOf(step);
  if (!session) return false;
  const speaks = (steps: unknown): boolean =>
    Array.isArray(steps) && steps.some((entry) => isMapping(entry) && (entry.kind === 'send' || entry.kind === 'expect'));
  return session.push !== undefined || speaks(session.open) || speaks(session.loop);
}
