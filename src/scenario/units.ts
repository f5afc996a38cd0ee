// Durations, sizes and rates as people write them in scenario files. Parsers here know only
// units; ranges and field names are validate.ts's business, so a failure throws a UnitError
// that carries the "expected …" text and lets the caller add the file, the field and the value.

/** What a parsed duration, size and rate are in the scenario sockcap uses. */
export type Millis = number;
export type Bytes = number;
export type PerSecond = number;

export class UnitError extends Error {
  readonly expected: string;
  constructor(expected: string) {
    super(expected);
    this.name = 'UnitError';
    this.expected = expected;
  }
}

const durationExpected = 'expected a duration like 30s or 250ms';
const sizeExpected = 'expected a size like 64B, 1KiB or 2MiB';
const rateExpected = 'expected a rate like 2000/s or 120/m';

const msPerDurationUnit: Record<string, number> = {
  us: 0.001,
  µs: 0.001,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

// A run of number+unit pairs, so `1m30s` reads the way people say it.
const durationText = '(?:\\d+(?:\\.\\d+)?(?:us|µs|ms|s|m|h))+';
const durationShape = new RegExp(`^${durationText}$`);
const durationPart = /(\d+(?:\.\d+)?)(us|µs|ms|s|m|h)/g;

/**
 * Milliseconds from `30s`, `250ms`, `1.5s`, `2m`, `1h`, `500us` or `1m30s`. A bare number is
 * refused (is 30 seconds or milliseconds?) except 0, which means the same in every unit.
 */
export function parseDuration(value: unknown): Millis {
  if (value === 0) return 0;
  if (typeof value !== 'string') throw new UnitError(durationExpected);
  const text = value.trim();
  if (text === '0') return 0;
  if (!durationShape.test(text)) throw new UnitError(durationExpected);
  let total = 0;
  for (const [, amount, unit] of text.matchAll(durationPart)) {
    total += Number(amount) * msPerDurationUnit[unit!]!;
  }
  if (!Number.isFinite(total)) throw new UnitError(durationExpected);
  return total;
}

const bytesPerSizeUnit: Record<string, number> = {
  b: 1,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

const sizeText = '(\\d+(?:\\.\\d+)?)\\s*([kKmMgG][iI]?[bB]|[bB])';
const sizeShape = new RegExp(`^${sizeText}$`);

/** Whole bytes from `64B`, `1KiB`, `2MiB`, `1KB` (1000) or a bare integer (bytes). */
export function parseSize(value: unknown): Bytes {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) return value;
    throw new UnitError(sizeExpected);
  }
  if (typeof value !== 'string') throw new UnitError(sizeExpected);
  const text = value.trim();
  if (/^\d+$/.test(text)) return parseSize(Number(text));
  const match = sizeShape.exec(text);
  if (!match) throw new UnitError(sizeExpected);
  const [, amount, unit] = match;
  const bytes = Number(amount) * bytesPerSizeUnit[unit!.toLowerCase()]!;
  // A fraction of a byte (`1.5B`, `0.1KiB`) cannot be sent; refusing beats silent rounding.
  if (!Number.isSafeInteger(bytes)) throw new UnitError(sizeExpected);
  return bytes;
}

const secondsPerRateUnit: Record<string, number> = { s: 1, m: 60, h: 3600 };
const rateText = '(\\d+(?:\\.\\d+)?)\\s*\\/\\s*(s|m|h)';
const rateShape = new RegExp(`^${rateText}$`);

/** Per second from `2000/s`, `120/m`, `0.5/s`, `60/h` or a bare number (already per second). */
export function parseRate(value: unknown): PerSecond {
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
    throw new UnitError(rateExpected);
  }
  if (typeof value !== 'string') throw new UnitError(rateExpected);
  const text = value.trim();
  if (/^\d+(?:\.\d+)?$/.test(text)) return Number(text);
  const match = rateShape.exec(text);
  if (!match) throw new UnitError(rateExpected);
  const [, amount, unit] = match;
  return Number(amount) / secondsPerRateUnit[unit!]!;
}

/**
 * The text each parser above reads, as JSON Schema patterns for the scenario schema (editors
 * check a file with them; the parsers still decide, and say what the range is). The same
 * expressions, so the two cannot disagree on what a duration looks like.
 */
export const unitPatterns = {
  duration: `^\\s*(?:0|${durationText})\\s*$`,
  size: `^\\s*(?:\\d+|${sizeText})\\s*$`,
  rate: `^\\s*(?:\\d+(?:\\.\\d+)?|${rateText})\\s*$`,
} as const;

/** A duration the way a person would write it back (`250ms`, `1.5s`, `1m30s`); parseDuration reads it again. */
export function formatDuration(ms: Millis): string {
  if (ms === 0) return '0';
  if (!Number.isFinite(ms) || ms < 0) return `${ms}ms`;
  if (ms < 1) return `${trim(ms * 1000)}us`;
  if (ms < 1000) return `${trim(ms)}ms`;
  if (ms < 60_000) return `${trim(ms / 1000)}s`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = (ms % 60_000) / 1000;
  return [hours > 0 ? `${hours}h` : '', minutes > 0 ? `${minutes}m` : '', seconds > 0 ? `${trim(seconds)}s` : ''].join('');
}

// Three decimals are below any timer's resolution here, and keep labels short.
function trim(n: number): string {
  return String(Number(n.toFixed(3)));
}
