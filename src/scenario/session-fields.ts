// Parsers of the WebSocket session fields (`websocket.session`, `websocket.headers`,
// `websocket.subprotocols`) and the step parts `http.session` shares: each step is one mapping
// with one action, and every string that may hold a `{{…}}` template is parsed here so a
// malformed one is refused at load.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  Invalid,
  jsonField,
  mappingSchema,
  optionalJsonField,
  parseMapping,
  parser,
  reject,
  section,
  type JsonSchema,
  type Parser,
  type Shape,
} from './parsers.js';
import { headers } from './header-parsers.js';
import { duration, above, atLeast } from './quantity-parsers.js';
import { isMapping, own, type PathSegment, type RawMapping } from './raw.js';
import type { ExpectStep, PauseStep, PushSettings, SendStep, WebSocketSession, WebSocketStep } from './session-types.js';
import { TemplateError, parseTemplate } from './template.js';

/** How long an `expect` waits when the step does not say. */
export const defaultExpectTimeout = 10_000;

const stepNamePattern = /^[A-Za-z0-9_-]+$/;

function checkTemplate(text: string, path: PathSegment[]): void {
  try {
    parseTemplate(text);
  } catch (err) {
    if (err instanceof TemplateError) throw new Invalid(path, err.message);
    throw err;
  }
}

/** Text that may hold templates; YAML numbers are read as their text. */
export const templateText: Parser<string> = parser(
  { type: ['string', 'number'], description: 'a string; it may hold templates like {{data.token}}' },
  (value, path) => {
    const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
    if (typeof text !== 'string') reject(path, 'expected a string (it may hold templates like {{data.token}})', value);
    checkTemplate(text, path);
    return text;
  },
);

/** A JSON value whose strings may hold templates. */
function checkJsonTemplate(value: unknown, path: PathSegment[]): unknown {
  if (typeof value === 'string') checkTemplate(value, path);
  else if (Array.isArray(value)) value.forEach((item, i) => checkJsonTemplate(item, [...path, i]));
  else if (isMapping(value)) for (const [key, item] of Object.entries(value)) checkJsonTemplate(item, [...path, key]);
  else if (value !== null && typeof value !== 'number' && typeof value !== 'boolean') reject(path, 'expected a JSON value', value);
  return value;
}
export const jsonTemplate: Parser<unknown> = parser({ description: 'any JSON value; its strings may hold templates like {{data.token}}' }, checkJsonTemplate);

export const matchMapping: Parser<unknown> = parser(
  { type: 'object', description: 'a mapping of JSON fields the message must have, like { type: auth_ok }' },
  (value, path) =>
    isMapping(value) ? checkJsonTemplate(value, path) : reject(path, 'expected a mapping of JSON fields the message must have, like { type: auth_ok }', value),
);

export const regexText: Parser<string | undefined> = parser({ type: 'string', description: 'a regular expression like ^pong' }, (value, path) => {
  if (typeof value !== 'string') reject(path, 'expected a regular expression like ^pong', value);
  try {
    new RegExp(value);
  } catch {
    reject(path, 'expected a valid regular expression', value);
  }
  return value;
});

const captureNamePattern = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const captures = (what: string, valid: (source: string) => boolean): Parser<Record<string, string>> =>
  parser(
    {
      type: 'object',
      propertyNames: { pattern: captureNamePattern.source },
      additionalProperties: { type: 'string' },
      description: `variable names to ${what}`,
    },
    (value, path) => {
      if (!isMapping(value)) reject(path, `expected a mapping of variable names to ${what}, like { user: user.id }`, value);
      for (const [name, source] of Object.entries(value)) {
        if (
          !captureNamePattern.test(name) ||
          name === 'connection' ||
          name === 'seq' ||
          name === 'now' ||
          name === 'uuid' ||
          name === 'random' ||
          name === 'data'
        ) {
          reject([...path, name], 'expected a variable name of letters, digits and _ other than connection, seq, now, uuid, random and data', name);
        }
        if (typeof source !== 'string' || !valid(source)) reject([...path, name], `expected ${what}`, source);
      }
      return value as Record<string, string>;
    },
  );
export const jsonPath = (source: string): boolean => /^[^.\s]+(?:\.[^.\s]+)*$/.test(source);

const expectShape: Shape<Omit<ExpectStep, 'kind' | 'name' | 'named'>> = {
  fields: {
    match: matchMapping,
    regex: regexText,
    reply: jsonField,
    timeout: duration(above(0)),
    capture: captures('a JSON field like user.id', jsonPath),
  },
};
const expectFallback = { match: undefined, regex: undefined, reply: undefined, timeout: defaultExpectTimeout, capture: {} };

const payloadKinds = ['text', 'json', 'binary', 'file'] as const;
const payloadSchema: JsonSchema = {
  anyOf: [
    templateText.schema,
    ...payloadKinds.map((kind) => ({
      type: 'object',
      properties: { [kind]: kind === 'json' ? jsonTemplate.schema : kind === 'text' ? templateText.schema : { type: 'string' } },
      required: [kind],
      additionalProperties: false,
    })),
  ],
};
function sendPayload(value: unknown, path: PathSegment[]): SendStep['payload'] {
  if (typeof value === 'string') return { type: 'text', text: templateText(value, path) };
  const keys = isMapping(value) ? Object.keys(value) : [];
  if (!isMapping(value) || keys.length !== 1 || !(payloadKinds as readonly string[]).includes(keys[0]!)) {
    reject(path, 'expected one of { text: … }, { json: { … } }, { binary: <base64> } or { file: <path> }', value);
  }
  const [kind] = keys as [(typeof payloadKinds)[number]];
  const at = [...path, kind];
  const given = own(value, kind);
  switch (kind) {
    case 'text':
      return { type: 'text', text: templateText(given, at) };
    case 'json':
      return { type: 'json', json: jsonTemplate(given, at) };
    case 'binary':
      if (typeof given !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(given)) reject(at, 'expected base64 text like AAEC', given);
      return { type: 'binary', base64: given };
    case 'file':
      return { type: 'binary', base64: readBinary(given, at).toString('base64') };
  }
}

function readBinary(given: unknown, at: PathSegment[]): Buffer {
  if (typeof given !== 'string' || given === '') reject(at, 'expected the path of a file to send as one binary message', given);
  try {
    return readFileSync(path.resolve(given));
  } catch {
    return reject(at, 'expected a file that can be read', given);
  }
}

/** The step's name: given, or the first text value the expect matches (`auth_ok`), or its place (`loop[2]`). */
export function nameOf(raw: RawMapping, path: PathSegment[], derived: string | undefined): { name: string; named: boolean } {
  const given = own(raw, 'name');
  if (given === undefined) return { name: derived ?? `${String(path[path.length - 2])}[${String(path[path.length - 1])}]`, named: false };
  if (typeof given !== 'string' || !stepNamePattern.test(given)) reject([...path, 'name'], 'expected a name of letters, digits, _ and -, like add', given);
  return { name: given, named: true };
}

function firstText(value: unknown): string | undefined {
  if (typeof value === 'string') return /^[A-Za-z0-9_-]+$/.test(value) ? value : undefined;
  if (isMapping(value))
    for (const item of Object.values(value)) {
      const text = firstText(item);
      if (text !== undefined) return text;
    }
  return undefined;
}

export function oneAction(value: unknown, path: PathSegment[], actions: readonly string[], extra: readonly string[], example: string): [string, RawMapping] {
  if (!isMapping(value)) reject(path, `expected a step like ${example}`, value);
  const present = actions.filter((action) => Object.hasOwn(value, action));
  if (present.length !== 1) reject(path, `expected exactly one of ${actions.join(', ')} in a step, like ${example}`, value);
  for (const key of Object.keys(value)) {
    if (key !== 'name' && !actions.includes(key) && !extra.includes(key)) {
      throw new Invalid([...path, key], `unknown field (allowed: name, ${[present[0], ...extra].join(', ')})`);
    }
  }
  return [present[0]!, value];
}

export const pauseDuration = duration(atLeast(0));
const stepNameSchema = { type: 'string', pattern: stepNamePattern.source };

/** A session step: exactly one action key, with its name and the keys that go with that action. */
export function stepSchema(actions: Record<string, JsonSchema>, extra: Record<string, Record<string, JsonSchema>> = {}): JsonSchema {
  return {
    oneOf: Object.entries(actions).map(([action, schema]) => ({
      type: 'object',
      properties: { name: stepNameSchema, [action]: schema, ...extra[action] },
      required: [action],
      additionalProperties: false,
    })),
  };
}

const webSocketStepSchema = stepSchema({ send: payloadSchema, expect: mappingSchema(expectShape, false), pause: pauseDuration.schema });
const webSocketStep: Parser<WebSocketStep> = parser(webSocketStepSchema, (value, path) => {
  const [action, raw] = oneAction(
    value,
    path,
    ['send', 'expect', 'pause'],
    [],
    '{ send: { json: { type: auth } } }, { expect: { match: { type: auth_ok } } } or { pause: 1s }',
  );
  const at = [...path, action];
  if (action === 'pause') return { kind: 'pause', duration: pauseDuration(raw.pause, at), ...nameOf(raw, path, undefined) } satisfies PauseStep;
  if (action === 'send') return { kind: 'send', payload: sendPayload(raw.send, at), ...nameOf(raw, path, undefined) } satisfies SendStep;
  const expect = parseMapping(raw.expect ?? {}, at, expectShape, expectFallback);
  if (expect.match !== undefined && expect.regex !== undefined)
    reject([...at, 'regex'], 'expected either match (JSON) or regex (text), not both', expect.regex);
  return { kind: 'expect', ...expect, ...nameOf(raw, path, firstText(expect.match)) };
});

export const stepList = <T>(item: Parser<T>): Parser<T[]> =>
  parser({ type: 'array', items: item.schema }, (value, path) =>
    Array.isArray(value) ? value.map((entry, i) => item(entry, [...path, i])) : reject(path, 'expected a list of steps', value),
  );

const pushShape: Shape<PushSettings> = { fields: { match: matchMapping, sequence: jsonField, timestamp: optionalJsonField } };
const pushFallback: PushSettings = { match: undefined, sequence: 'seq', timestamp: 'publishedAt' };

const webSocketSessionShape: Shape<WebSocketSession> = {
  fields: {
    open: stepList(webSocketStep),
    loop: stepList(webSocketStep),
    push: parser({ anyOf: [{ type: 'null' }, mappingSchema(pushShape, false)] }, (value, path) =>
      value === null ? undefined : parseMapping(value, path, pushShape, pushFallback),
    ),
  },
};

export const emptyWebSocketSession: WebSocketSession = { open: [], loop: [], push: undefined };
export const webSocketSession: Parser<WebSocketSession> = section(webSocketSessionShape, emptyWebSocketSession);

// ---- WebSocket upgrade ----

export const templateHeaders: Parser<Record<string, string>> = parser(headers.schema, (value, path) => {
  const parsed = headers(value, path);
  for (const [name, text] of Object.entries(parsed)) checkTemplate(text, [...path, name]);
  return parsed;
});

export const upgradeHeaders: Parser<Record<string, string>> = templateHeaders;

const subprotocolPattern = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const subprotocolSchema = { type: 'string', pattern: subprotocolPattern.source };
export const subprotocols: Parser<string[]> = parser({ anyOf: [subprotocolSchema, { type: 'array', items: subprotocolSchema }] }, (value, path) => {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list)) reject(path, 'expected a list of subprotocol names like [chat.v2]', value);
  for (const [i, name] of list.entries()) {
    if (typeof name !== 'string' || !subprotocolPattern.test(name)) reject([...path, i], 'expected a subprotocol name like chat.v2', name);
  }
  return list as string[];
});
