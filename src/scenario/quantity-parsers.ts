// Parsers of quantities with units: durations, sizes and rates (and a stage's target, which is
// either a count or a rate), each with the bound a field needs and the ceiling past which a
// plan would misbehave rather than just run long.
import { parser, reject, type JsonSchema, type Parser } from './parsers.js';
import type { PathSegment } from './raw.js';
import { UnitError, formatDuration, parseDuration, parseRate, parseSize, unitPatterns } from './units.js';

function viaUnit(parse: (value: unknown) => number, value: unknown, path: PathSegment[], expected?: string): number {
  try {
    return parse(value);
  } catch (err) {
    if (err instanceof UnitError) reject(path, expected ?? err.expected, value);
    throw err;
  }
}

interface Bound {
  min: number;
  inclusive: boolean;
  /** Node's http.Server takes its timeouts only in whole milliseconds. */
  wholeUnits?: boolean;
}
export const atLeast = (min: number): Bound => ({ min, inclusive: true });
export const above = (min: number): Bound => ({ min, inclusive: false });

/** The largest value of a kind sockcap can act on, and why: past it a plan would misbehave, not just run long. */
interface Ceiling {
  max: number;
  shown: string;
  why: string;
}

/** The numbers a unit parser takes as they are (a duration only 0, a size whole bytes, a rate per second), if any. */
type BareNumbers = (bound: Bound) => JsonSchema | undefined;

function measured(
  noun: string,
  parse: (value: unknown) => number,
  format: (n: number) => string,
  unitName: string,
  pattern: string,
  bare: BareNumbers,
  ceiling: Ceiling,
) {
  return (bound: Bound): Parser<number> => {
    const range = `${bound.inclusive ? 'of at least' : 'above'} ${format(bound.min)}`;
    const expected = `expected a ${noun} ${range}${bound.wholeUnits ? ` in whole ${unitName}` : ''}`;
    const tooLarge = `expected a ${noun} of at most ${ceiling.shown} (${ceiling.why})`;
    const numbers = bare(bound);
    const schema = { anyOf: [{ type: 'string', pattern }, ...(numbers ? [numbers] : [])], description: expected.replace(/^expected /, '') };
    return parser(schema, (value, path) => {
      const n = viaUnit(parse, value, path);
      if (n > ceiling.max) reject(path, tooLarge, value);
      const inRange = bound.inclusive ? n >= bound.min : n > bound.min;
      return inRange && (!bound.wholeUnits || Number.isInteger(n)) ? n : reject(path, expected, value);
    });
  };
}
const lowest = (bound: Bound): JsonSchema => (bound.inclusive ? { minimum: bound.min } : { exclusiveMinimum: bound.min });
/** Node's timers fire at once for a delay past 2^31-1 ms (about 24.8 days). */
export const longestTimer = 2 ** 31 - 1;
/** ws refuses a message larger than this by default, and the built-in target holds each one whole. */
export const largestSize = 100 * 1024 * 1024;
/** 200 times what one core sends (a bare ws client: about 57k messages/s): a plan past it is a typo. */
export const highestRate = 10_000_000;
export const duration = measured(
  'duration',
  parseDuration,
  formatDuration,
  'milliseconds',
  unitPatterns.duration,
  // A bare number is refused (seconds or milliseconds?) except 0, the same in every unit.
  (bound) => (bound.min < 0 || (bound.min === 0 && bound.inclusive) ? { const: 0 } : undefined),
  { max: longestTimer, shown: formatDuration(longestTimer), why: "Node's timer limit" },
);
export const size = measured(
  'size',
  parseSize,
  (n) => `${n}B`,
  'bytes',
  unitPatterns.size,
  (bound) => ({ type: 'integer', ...lowest(bound), maximum: largestSize }),
  {
    max: largestSize,
    shown: '100MiB',
    why: 'the largest WebSocket message by default',
  },
);
export const rate = measured(
  'rate',
  parseRate,
  (n) => `${n}/s`,
  'per second',
  unitPatterns.rate,
  (bound) => ({ type: 'number', ...lowest(bound), maximum: highestRate }),
  {
    max: highestRate,
    shown: `${highestRate}/s`,
    why: 'far beyond what a generator can send',
  },
);

const stageTargetExpected = 'expected a number of connections (workload: closed) or a rate like 2000/s (workload: arrival-rate)';
export const stageTarget: Parser<number> = parser(
  {
    anyOf: [
      { type: 'string', pattern: unitPatterns.rate },
      { type: 'number', minimum: 0, maximum: highestRate },
    ],
    description: stageTargetExpected.replace(/^expected /, ''),
  },
  (value, path) => {
    const n = viaUnit(parseRate, value, path, stageTargetExpected);
    return n >= 0 && n <= highestRate ? n : reject(path, `${stageTargetExpected}, at most ${highestRate}`, value);
  },
);
