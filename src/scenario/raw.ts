// Helpers for the untyped data a scenario file parses into, shared by validation, --set and
// loading. Reads go through own properties only, and writes define them, because a file or a
// flag may contain the key `__proto__` and must not reach Object.prototype.

import { redactUrlCredentials } from './url-credentials.js';

export type RawMapping = Record<string, unknown>;

/** A field path as segments: names of mapping keys, numbers for list positions. */
export type PathSegment = string | number;

export function isMapping(value: unknown): value is RawMapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function own(mapping: RawMapping, key: string): unknown {
  return Object.hasOwn(mapping, key) ? mapping[key] : undefined;
}

export function setOwn(mapping: RawMapping, key: string, value: unknown): void {
  Object.defineProperty(mapping, key, { value, writable: true, enumerable: true, configurable: true });
}

/** The segments as users write them in messages and in --set: `steps[1].http.keepAlive`. */
export function formatPath(path: readonly PathSegment[]): string {
  let text = '';
  for (const segment of path) {
    text = typeof segment === 'number' ? `${text}[${segment}]` : text ? `${text}.${segment}` : segment;
  }
  return text;
}

export function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let node = root;
  for (const segment of path) {
    if (typeof segment === 'number') node = Array.isArray(node) ? node[segment] : undefined;
    else node = isMapping(node) ? own(node, segment) : undefined;
  }
  return node;
}

const maxShown = 40;

/** The value close to how the user wrote it, short enough to keep an error on one line. */
export function showValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string;
  if (typeof value === 'string' || isMapping(value) || Array.isArray(value)) {
    try {
      text = JSON.stringify(value);
    } catch {
      // YAML aliases can build a cycle, which JSON cannot show.
      text = Array.isArray(value) ? '[…]' : '{…}';
    }
  } else {
    // What is left is a scalar YAML can hold (a number, a boolean, null) or a date.
    const scalar = typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' || value === null;
    text = scalar ? String(value) : value instanceof Date ? value.toISOString() : Object.prototype.toString.call(value);
  }
  // A URL's password must not reach an error message.
  text = redactUrlCredentials(text);
  return text.length > maxShown ? `${text.slice(0, maxShown - 1)}…` : text;
}
