// Checks of what a results folder holds, for the commands that read one back (report,
// compare, merge, sweep --resume): a value that is not what its field holds is refused in one
// line naming the file and the field, never added up into a wrong figure ("0abc" errors).
import { UsageError } from '../errors.js';
import { emptyCounters } from '../metrics/counters.js';

/** Counters kept by name (errors by code, failures by session step): a count per name. */
const countsByName = new Set(Object.entries(emptyCounters()).flatMap(([name, empty]) => (typeof empty === 'object' ? [name] : [])));

const damagedFix = 'the file was edited or damaged: restore it from the run, or run it again';

/** A file of a results folder that is missing or cannot be used; `problem` says what is wrong with it. */
export class StoredFileError extends UsageError {
  constructor(file: string, problem: string, fix = damagedFix) {
    super(`${file}: ${problem} (${fix})`);
    this.name = 'StoredFileError';
  }
}

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** Reads the fields of one JSON document (or one line of one) and refuses a value of the wrong kind. */
export class FieldReader {
  constructor(
    readonly file: string,
    /** Put before each field's name, e.g. "line 3: ". */
    private readonly prefix = '',
  ) {}

  wrong(field: string, expected: string, value: unknown): StoredFileError {
    return new StoredFileError(this.file, `${this.prefix}${field} is ${shown(value)}, expected ${expected}`);
  }

  object(value: unknown, field: string): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw this.wrong(field, 'an object', value);
    return value as Record<string, unknown>;
  }

  optionalObject(value: unknown, field: string): Record<string, unknown> | undefined {
    return value === undefined ? undefined : this.object(value, field);
  }

  number(value: unknown, field: string): number {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw this.wrong(field, 'a number', value);
    return value;
  }

  /** A count: a whole number, never negative. */
  count(value: unknown, field: string): number {
    if (!Number.isInteger(value) || (value as number) < 0) throw this.wrong(field, 'a whole number ≥ 0', value);
    return value as number;
  }

  /** A number that may be absent, or null where the run measured nothing (JSON writes NaN as null). */
  optionalNumber(value: unknown, field: string): number | undefined {
    return value === undefined || value === null ? undefined : this.number(value, field);
  }

  string(value: unknown, field: string): string {
    if (typeof value !== 'string') throw this.wrong(field, 'a string', value);
    return value;
  }

  optionalString(value: unknown, field: string): string | undefined {
    return value === undefined ? undefined : this.string(value, field);
  }

  boolean(value: unknown, field: string): boolean {
    if (typeof value !== 'boolean') throw this.wrong(field, 'true or false', value);
    return value;
  }

  /** An ISO time, as the run wrote it. */
  time(value: unknown, field: string): string {
    if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) throw this.wrong(field, 'a time like 2025-01-01T12:00:00.000Z', value);
    return value;
  }

  strings(value: unknown, field: string): string[] {
    if (!Array.isArray(value)) throw this.wrong(field, 'a list of strings', value);
    value.forEach((item, i) => this.string(item, `${field}[${i}]`));
    return value as string[];
  }

  /** Counters as a run stores them: a count each, and a count per name for the ones kept by name. */
  counters(value: unknown, field: string): void {
    for (const [name, count] of Object.entries(this.object(value, field))) {
      if (!countsByName.has(name)) this.count(count, `${field}.${name}`);
      else for (const [key, each] of Object.entries(this.object(count, `${field}.${name}`))) this.count(each, `${field}.${name}.${key}`);
    }
  }

  oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[]): T {
    if (!allowed.includes(value as T)) throw this.wrong(field, `one of ${allowed.join(', ')}`, value);
    return value as T;
  }
}
