// The vocabulary validate.ts writes its field tables in: a parser turns one raw value into a
// typed one or throws Invalid with the field path and the "expected …, got …" text. Parsers
// know nothing of files or flags; validate.ts adds those when it turns Invalid into a
// ScenarioError. Each parser also carries the JSON Schema of what it accepts, so the schema
// editors check scenario files with (`sockcap schema`) is built from these same tables.

import { isMapping, showValue, type PathSegment } from './raw.js';

/** A problem at a field, found before it is known which file or flag the field came from. */
export class Invalid extends Error {
  readonly path: PathSegment[];
  readonly problem: string;
  constructor(path: PathSegment[], problem: string) {
    super(problem);
    this.path = path;
    this.problem = problem;
  }
}

export function reject(path: PathSegment[], expected: string, value: unknown): never {
  throw new Invalid(path, `${expected}, got ${showValue(value)}`);
}

/** A JSON Schema (draft-07) fragment. */
export type JsonSchema = { readonly [keyword: string]: unknown };

export type Parser<T> = ((value: unknown, path: PathSegment[]) => T) & {
  /** What the parser accepts, for editors: never stricter than the parser, as strict as JSON Schema can say. */
  readonly schema: JsonSchema;
};
export type Fields<T> = { [K in keyof T]-?: Parser<T[K]> };

export function parser<T>(schema: JsonSchema, parse: (value: unknown, path: PathSegment[]) => T): Parser<T> {
  return Object.assign(parse, { schema });
}

export interface Shape<T> {
  fields: Fields<T>;
  /** Keys accepted here but read by someone else (`steps`). */
  readElsewhere?: readonly string[];
  /** Full paths offered when a key is unknown here but exists one level down (`http.keepAlive`). */
  nested?: readonly string[];
}

// ---- parsers for single values ----

/** A pattern that matches `word` in any letter case (JSON Schema patterns take no flags). */
export function anyCase(word: string): string {
  return [...word]
    .map((c) => (c.toLowerCase() === c.toUpperCase() ? c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&') : `[${c.toLowerCase()}${c.toUpperCase()}]`))
    .join('');
}

export const boolean: Parser<boolean> = parser({ type: 'boolean' }, (value, path) =>
  typeof value === 'boolean' ? value : reject(path, 'expected true or false', value),
);

export const nonEmptyText: Parser<string> = parser({ type: 'string', pattern: '\\S' }, (value, path) =>
  typeof value === 'string' && value.trim() !== '' ? value : reject(path, 'expected a non-empty string', value),
);

// Only reached when the key is present: an absent body stays undefined through the defaults.
export const text: Parser<string | undefined> = parser({ type: 'string' }, (value, path) =>
  typeof value === 'string' ? value : reject(path, 'expected a string', value),
);

/** An SSE `event:` name (one line), or "" for every event. */
export const eventName: Parser<string> = parser(
  { type: 'string', pattern: '^[^\\r\\n]*$', description: 'an event name on one line, or "" for every event' },
  (value, path) =>
    typeof value === 'string' && !/[\r\n]/.test(value) ? value : reject(path, 'expected an event name on one line, like update, or "" for every event', value),
);

// undici refuses spaces and control characters in a request path; say so before the run.
const requestPathShape = /^\/[\u0021-\u00ff]*$/;
export const requestPath: Parser<string> = parser(
  { type: 'string', pattern: requestPathShape.source, description: 'a path starting with / and without spaces, like /items?id=1' },
  (value, path) =>
    typeof value === 'string' && requestPathShape.test(value)
      ? value
      : reject(path, 'expected a path starting with / and without spaces, like /items?id=1', value),
);

// A JSON field in a target's events, as a dotted path into nested objects (`meta.seq`).
const jsonFieldShape = /^[^.\s]+(?:\.[^.\s]+)*$/;
export const jsonField: Parser<string> = parser({ type: 'string', pattern: jsonFieldShape.source }, (value, path) =>
  typeof value === 'string' && jsonFieldShape.test(value) ? value : reject(path, 'expected a JSON field name like seq or meta.seq', value),
);

/** As jsonField, where an empty string means "there is no such field". */
export const optionalJsonField: Parser<string> = parser({ type: 'string', pattern: `^$|${jsonFieldShape.source}` }, (value, path) =>
  value === '' || (typeof value === 'string' && jsonFieldShape.test(value))
    ? value
    : reject(path, 'expected a JSON field name like publishedAt, or "" for none', value),
);

const queryParameterShape = /^[A-Za-z0-9_.~-]+$/;
export const queryParameter: Parser<string> = parser({ type: 'string', pattern: queryParameterShape.source }, (value, path) =>
  typeof value === 'string' && queryParameterShape.test(value) ? value : reject(path, 'expected a query parameter name like since', value),
);

const targetShape = new RegExp(`^(?:${['https', 'http', 'wss', 'ws'].map(anyCase).join('|')}):\\/\\/[^/?#\\s]`);
export const target: Parser<string | undefined> = parser(
  {
    type: ['string', 'null'],
    pattern: targetShape.source,
    description: 'an absolute http://, https://, ws:// or wss:// URL, or null for the built-in target',
  },
  (value, path) => {
    if (value === null) return undefined;
    if (typeof value === 'string' && targetShape.test(value) && URL.canParse(value)) return value;
    return reject(path, 'expected an absolute http://, https://, ws:// or wss:// URL, or null for the built-in target', value);
  },
);

const metricsUrlShape = new RegExp(`^(?:${['https', 'http'].map(anyCase).join('|')}):\\/\\/[^/?#\\s]`);
/** A Prometheus endpoint (http:// or https://), or "" for none. */
export const metricsUrl: Parser<string> = parser(
  { type: 'string', pattern: `^$|${metricsUrlShape.source}`, description: 'an http:// or https:// URL of a Prometheus endpoint, or "" for none' },
  (value, path) =>
    typeof value === 'string' && (value === '' || (metricsUrlShape.test(value) && URL.canParse(value)))
      ? value
      : reject(path, 'expected an http:// or https:// URL like http://10.0.0.5:9464/metrics, or "" for none', value),
);

/** A Prometheus metric name prefix (`myapp_`), or "" for none. */
export const metricPrefix: Parser<string> = parser({ type: 'string', pattern: '^([a-zA-Z_:][a-zA-Z0-9_:]*)?$' }, (value, path) =>
  typeof value === 'string' && /^([a-zA-Z_:][a-zA-Z0-9_:]*)?$/.test(value)
    ? value
    : reject(path, 'expected a metric name prefix like myapp_, or "" for none', value),
);

/** One of `allowed`; `anyLetterCase` takes `get` for `GET`. */
export function oneOf<T extends string>(allowed: readonly T[], anyLetterCase = false): Parser<T> {
  const expected = `expected one of ${allowed.join(', ')}`;
  const schema = anyLetterCase ? { type: 'string', pattern: `^(?:${allowed.map(anyCase).join('|')})$` } : { enum: allowed };
  return parser(schema, (value, path) => {
    const given = typeof value !== 'string' ? undefined : anyLetterCase ? value.toUpperCase() : value;
    return allowed.find((name) => (anyLetterCase ? name.toUpperCase() : name) === given) ?? reject(path, expected, value);
  });
}

export function whole(min: number, max = Number.MAX_SAFE_INTEGER): Parser<number> {
  const expected = max === Number.MAX_SAFE_INTEGER ? `expected a whole number of at least ${min}` : `expected a whole number from ${min} to ${max}`;
  const schema = max === Number.MAX_SAFE_INTEGER ? { type: 'integer', minimum: min } : { type: 'integer', minimum: min, maximum: max };
  return parser(schema, (value, path) =>
    typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max ? value : reject(path, expected, value),
  );
}

/** A mapping sent as JSON (a Socket.IO auth payload): any values. */
export const jsonObject: Parser<Record<string, unknown>> = parser({ type: 'object' }, (value, path) =>
  isMapping(value) ? value : reject(path, 'expected a mapping, like { token: abc }', value),
);

/** A mapping of names to text (query parameters); numbers are taken as their text. */
export const textMap: Parser<Record<string, string>> = parser({ type: 'object', additionalProperties: { type: ['string', 'number'] } }, (value, path) => {
  if (!isMapping(value)) reject(path, 'expected a mapping of names to values, like { room: lobby }', value);
  return Object.fromEntries(
    Object.entries(value).map(([name, item]): [string, string] => {
      if (typeof item === 'number' && Number.isFinite(item)) return [name, String(item)];
      return typeof item === 'string' ? [name, item] : reject([...path, name], 'expected a string', item);
    }),
  );
});

export function list<T>(item: Parser<T>, example: string): Parser<T[]> {
  return parser({ type: 'array', items: item.schema }, (value, path) =>
    Array.isArray(value) ? value.map((entry, i) => item(entry, [...path, i])) : reject(path, `expected a list like ${example}`, value),
  );
}

// ---- mappings ----

export function parseMapping<T extends object>(value: unknown, path: PathSegment[], shape: Shape<T>, fallback: T | undefined): T {
  if (!isMapping(value)) reject(path, 'expected a mapping of names to values', value);
  const { fields } = shape;
  const parsed: Partial<T> = {};
  // In the file's order, so the problem reported is the first one a reader meets.
  for (const [key, item] of Object.entries(value)) {
    if (shape.readElsewhere?.includes(key)) continue;
    if (!isKeyOf(fields, key)) throw unknownField([...path, key], shape);
    parsed[key] = fields[key](item, [...path, key]);
  }
  for (const key of Object.keys(fields)) {
    if (!isKeyOf(fields, key) || Object.hasOwn(parsed, key)) continue;
    // Without a fallback every field is required; the parser rejects the missing value.
    parsed[key] = fallback === undefined ? fields[key](undefined, [...path, key]) : structuredClone(fallback[key]);
  }
  // Every key of `fields`, and so of T, was assigned by one of the two loops.
  return parsed as T;
}

/** The schema of a mapping with these fields: no other key, and every field when there is no fallback. */
export function mappingSchema<T>(shape: Shape<T>, required: boolean): JsonSchema {
  const fields: Record<string, Parser<unknown>> = shape.fields;
  const properties = Object.fromEntries(Object.entries(fields).map(([key, field]) => [key, field.schema]));
  return { type: 'object', properties, additionalProperties: false, ...(required ? { required: Object.keys(fields) } : {}) };
}

/** A section of the scenario (`http:`, `server:`): its fields, each taking `fallback`'s value when left out. */
export function section<T extends object>(shape: Shape<T>, fallback: T): Parser<T> {
  return parser(mappingSchema(shape, false), (value, path) => parseMapping(value, path, shape, fallback));
}

function isKeyOf<T extends object>(table: T, key: string): key is Extract<keyof T, string> {
  return Object.hasOwn(table, key);
}

function unknownField<T>(path: PathSegment[], shape: Shape<T>): Invalid {
  const key = String(path[path.length - 1]);
  const allowed = [...Object.keys(shape.fields), ...(shape.readElsewhere ?? [])];
  const guess = closest(key, allowed) ?? closest(key, shape.nested ?? []);
  return new Invalid(path, `unknown field${guess ? `; did you mean ${guess}?` : ''} (allowed: ${allowed.join(', ')})`);
}

/** The candidate whose last segment is nearest `key` by edit distance, if near enough to be a typo. */
export function closest(key: string, candidates: readonly string[]): string | undefined {
  const limit = Math.max(1, Math.floor(key.length / 3));
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = editDistance(key.toLowerCase(), (name.split('.').pop() ?? name).toLowerCase());
    if (distance <= limit && (best === undefined || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/** Optimal string alignment distance: Levenshtein plus swapped neighbours (`tagret`). */
function editDistance(a: string, b: string): number {
  // One flat row-major table: d(i, j) is the distance between a's first i and b's first j characters.
  const width = b.length + 1;
  const d = new Array<number>((a.length + 1) * width).fill(0);
  const at = (i: number, j: number): number => d[i * width + j] ?? 0;
  for (let i = 0; i <= a.length; i++) d[i * width] = i;
  for (let j = 0; j <= b.length; j++) d[j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      d[i * width + j] = best;
    }
  }
  return at(a.length, b.length);
}
