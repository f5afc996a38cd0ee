// Parsers of `http.session`: `open` and `loop` lists of requests (method, path, headers and
// body may hold templates) with what each expects and captures, or pauses.
import { mappingSchema, oneOf, parseMapping, parser, reject, section, type Parser, type Shape } from './parsers.js';
import { isMapping } from './raw.js';
import type { HttpExpect, HttpRequestStep, HttpSession, HttpStep } from './session-types.js';
import { httpMethods } from './http-method.js';
import {
  captures,
  jsonPath,
  jsonTemplate,
  matchMapping,
  nameOf,
  oneAction,
  pauseDuration,
  regexText,
  stepList,
  stepSchema,
  templateHeaders,
  templateText,
} from './session-fields.js';

const statusSchema = { type: 'integer', minimum: 100, maximum: 599 };
const statusList: Parser<number[]> = parser({ anyOf: [statusSchema, { type: 'array', items: statusSchema }] }, (value, path) => {
  const list = Array.isArray(value) ? value : [value];
  for (const [i, status] of list.entries()) {
    if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599) {
      reject(Array.isArray(value) ? [...path, i] : path, 'expected an HTTP status like 200, or a list like [200, 201]', status);
    }
  }
  return list as number[];
});

const headerPatterns: Parser<Record<string, string>> = parser({ type: 'object', additionalProperties: regexText.schema }, (value, path) => {
  if (!isMapping(value)) reject(path, 'expected a mapping of header names to regular expressions, like { content-type: json }', value);
  for (const [name, pattern] of Object.entries(value)) regexText(pattern, [...path, name]);
  return Object.fromEntries(Object.entries(value).map(([name, pattern]) => [name.toLowerCase(), pattern as string]));
});

const httpExpectShape: Shape<HttpExpect> = { fields: { status: statusList, match: matchMapping, headers: headerPatterns } };
const httpExpectFallback: HttpExpect = { status: [], match: undefined, headers: {} };

const requestPathTemplate: Parser<string> = parser(
  { type: 'string', pattern: '^/\\S*$', description: 'a path starting with / and without spaces, like /items?user={{data.user}}' },
  (value, path) => {
    const text = templateText(value, path);
    return text.startsWith('/') && !/\s/.test(text)
      ? text
      : reject(path, 'expected a path starting with / and without spaces, like /items?user={{data.user}}', value);
  },
);

interface RequestFields {
  method: HttpRequestStep['method'];
  path: string;
  headers: Record<string, string>;
  body: string | undefined;
  json: unknown;
}
const requestShape: Shape<RequestFields> = {
  fields: {
    method: oneOf(httpMethods, true),
    path: requestPathTemplate,
    headers: templateHeaders,
    body: templateText,
    json: jsonTemplate,
  },
};
const requestFallback: RequestFields = { method: 'GET', path: '/', headers: {}, body: undefined, json: undefined };

const httpCaptures = captures('a JSON field of the body like token, or header:<name>', (s) => jsonPath(s) || /^header:[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(s));
const httpStepSchema = stepSchema(
  { request: mappingSchema(requestShape, false), pause: pauseDuration.schema },
  { request: { expect: mappingSchema(httpExpectShape, false), capture: httpCaptures.schema } },
);
const httpStep: Parser<HttpStep> = parser(httpStepSchema, (value, path) => {
  const [action, raw] = oneAction(
    value,
    path,
    ['request', 'pause'],
    ['expect', 'capture'],
    '{ request: { method: POST, path: /login }, expect: { status: 200 } } or { pause: 1s }',
  );
  if (action === 'pause') {
    if (raw.expect !== undefined || raw.capture !== undefined)
      reject([...path, 'pause'], 'expected a pause alone (expect and capture go with a request)', raw.pause);
    return { kind: 'pause', duration: pauseDuration(raw.pause, [...path, 'pause']), ...nameOf(raw, path, undefined) };
  }
  const request = parseMapping(raw.request, [...path, 'request'], requestShape, requestFallback);
  if (request.body !== undefined && request.json !== undefined) reject([...path, 'request', 'json'], 'expected either body or json, not both', request.json);
  const expect = raw.expect === undefined ? httpExpectFallback : parseMapping(raw.expect, [...path, 'expect'], httpExpectShape, httpExpectFallback);
  const capture = raw.capture === undefined ? {} : httpCaptures(raw.capture, [...path, 'capture']);
  const derived = request.path
    .split('?')[0]!
    .split('/')
    .filter((part) => /^[A-Za-z0-9_-]+$/.test(part))
    .pop();
  return { kind: 'request', ...request, expect, capture, ...nameOf(raw, path, derived) };
});

const httpSessionShape: Shape<HttpSession> = { fields: { open: stepList(httpStep), loop: stepList(httpStep) } };
export const emptyHttpSession: HttpSession = { open: [], loop: [] };
export const httpSession: Parser<HttpSession> = section(httpSessionShape, emptyHttpSession);
