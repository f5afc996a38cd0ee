// What an `expect` or a `push` recognises in a message: JSON fields compared for equality
// (nested mappings are walked; a number and its text are equal, since data files hold text),
// or a regular expression on the text. Compiled once; a message is parsed at most once
// however many checks read it, and not at all when only one field of it is read (a reply's id).
import { isMapping } from '../../scenario/raw.js';
import { fieldAt } from '../event-json.js';
import { FieldScanner, unsure } from './json-field.js';
import { compileValue, type Value } from './template.js';
import type { SessionVars } from './vars.js';

const invalid = Symbol('invalid JSON');

/** A dotted field path, compiled once: its keys, and their UTF-8 bytes for reading a message unparsed. */
export interface FieldPath {
  keys: string[];
  bytes: Buffer[];
}

export function fieldPath(dotted: string): FieldPath {
  return fieldPathOf(dotted.split('.'));
}

function fieldPathOf(keys: string[]): FieldPath {
  return { keys, bytes: keys.map((key) => Buffer.from(key)) };
}

/** One received message, read lazily: its text and its JSON are computed once, when first asked. */
export class Incoming {
  private data: Buffer = Buffer.alloc(0);
  private textCache: string | undefined;
  private jsonCache: unknown = invalid;
  private parsed = false;
  private readonly scanner = new FieldScanner();

  reset(data: Buffer): this {
    this.data = data;
    this.textCache = undefined;
    this.parsed = false;
    return this;
  }

  get text(): string {
    return (this.textCache ??= this.data.toString());
  }

  /** The parsed JSON, or undefined when the message is not JSON. */
  get json(): unknown {
    if (!this.parsed) {
      this.parsed = true;
      try {
        this.jsonCache = JSON.parse(this.text) as unknown;
      } catch {
        this.jsonCache = invalid;
      }
    }
    return this.jsonCache === invalid ? undefined : this.jsonCache;
  }

  /** fieldAt(json, path), undefined when the message is not JSON: read from the bytes while it is not parsed. */
  field(path: FieldPath): unknown {
    if (!this.parsed) {
      const field = this.scanner.read(this.data, path.bytes);
      if (field !== unsure) return field;
    }
    const json = this.json;
    return json === undefined ? undefined : fieldAt(json, path.keys);
  }
}

export type Match = (message: Incoming, vars: SessionVars) => boolean;

interface FieldCheck {
  path: FieldPath;
  expected: Value;
}

export function same(actual: unknown, expected: unknown): boolean {
  if (actual === expected) return true;
  if (typeof expected === 'object' && expected !== null) return JSON.stringify(actual) === JSON.stringify(expected);
  const scalar = typeof actual === 'string' || typeof actual === 'number' || typeof actual === 'boolean';
  return scalar && String(actual) === String(expected);
}

function checksOf(match: unknown, path: string[], into: FieldCheck[]): FieldCheck[] {
  if (isMapping(match) && (path.length === 0 || Object.keys(match).length > 0)) {
    for (const [key, value] of Object.entries(match)) checksOf(value, [...path, key], into);
  } else if (typeof match === 'string') {
    into.push({ path: fieldPathOf(path), expected: compileValue(match) });
  } else {
    into.push({ path: fieldPathOf(path), expected: () => match });
  }
  return into;
}

/**
 * A JSON match: every listed field has the listed value. A message that is not JSON matches
 * nothing: each of its fields reads as undefined, which no listed value (a template's text,
 * a number, null, a list) is; with no field listed (`match: {}`) it must still be JSON.
 */
export function compileJsonMatch(match: unknown): Match {
  const checks = checksOf(match, [], []);
  if (checks.length === 0) return (message) => message.json !== undefined;
  return (message, vars) => {
    for (const check of checks) if (!same(message.field(check.path), check.expected(vars))) return false;
    return true;
  };
}

/** A regular expression on the message text; its named groups are captured on success. */
export function compileRegexMatch(source: string): Match {
  const regex = new RegExp(source);
  return (message, vars) => {
    const found = regex.exec(message.text);
    if (!found) return false;
    for (const [name, value] of Object.entries(found.groups ?? {})) vars.captures.set(name, value);
    return true;
  };
}
