// Threshold expressions: `<metric> <comparison> <limit>`, like `latency.p99 < 50ms`,
// `error_rate < 0.1%` or `throughput_per_s > 10000`. Parsed once when the scenario loads,
// so a typo is refused before any load is sent, with the position of what is wrong.
import { UnitError, parseDuration, parseRate, parseSize } from './units.js';
import { MetricRefError, parseMetricRef, suggestMetric, type MetricRef, type ValueKind } from './metric-ref.js';

export const operators = ['<=', '>=', '==', '!=', '<', '>'] as const;
export type Operator = (typeof operators)[number];

export interface ThresholdExpression {
  text: string;
  ref: MetricRef;
  operator: Operator;
  /** In the metric's own unit: ms for histogram statistics, a fraction for error_rate, … */
  limit: number;
  limitText: string;
}

export class ExpressionError extends Error {
  /** 1-based position in the expression. */
  readonly position: number;
  readonly problem: string;
  constructor(text: string, position: number, problem: string) {
    super(`"${text}" at position ${position}: ${problem}`);
    this.name = 'ExpressionError';
    this.position = position;
    this.problem = problem;
  }
}

export const expressionExample = 'latency.p99 < 50ms';

export function holds(value: number, operator: Operator, limit: number): boolean {
  switch (operator) {
    case '<':
      return value < limit;
    case '<=':
      return value <= limit;
    case '>':
      return value > limit;
    case '>=':
      return value >= limit;
    case '==':
      return value === limit;
    case '!=':
      return value !== limit;
  }
}

export function parseThresholdExpression(text: string): ThresholdExpression {
  const fail = (index: number, problem: string): never => {
    throw new ExpressionError(text, index + 1, problem);
  };
  let at = skipSpace(text, 0);
  if (at === text.length) fail(0, `expected a metric, a comparison and a limit, like ${expressionExample}`);

  // `reply:<step>` names the reply latency of one named session step.
  const metricMatch = /^[A-Za-z_][A-Za-z0-9_]*(?::[A-Za-z0-9_-]+)?(?:\.[A-Za-z0-9_.]*)?/.exec(text.slice(at));
  if (!metricMatch) fail(at, `expected a metric name like latency.p99 or error_rate`);
  const metricText = metricMatch![0];
  let ref: MetricRef;
  try {
    ref = parseMetricRef(metricText, suggestMetric);
  } catch (error) {
    if (error instanceof MetricRefError) return fail(at + error.offset, error.message);
    throw error;
  }
  at = skipSpace(text, at + metricText.length);

  const operator = operators.find((candidate) => text.startsWith(candidate, at));
  if (!operator) {
    const problem = text[at] === '=' ? 'expected == (or <=, >=) where = stands' : 'expected a comparison: <, <=, >, >=, == or !=';
    fail(at, `${problem}${at < text.length ? `, got ${text.slice(at, at + 1)}` : ', got the end'}`);
  }
  at = skipSpace(text, at + operator!.length);

  const limitMatch = /^[^\s]+/.exec(text.slice(at));
  if (!limitMatch) fail(at, `expected a limit after ${operator!}, like ${limitExample(ref.kind)}`);
  const limitText = limitMatch![0];
  const limit = parseLimit(limitText, ref, (problem) => fail(at, problem));
  const rest = skipSpace(text, at + limitText.length);
  if (rest < text.length) fail(rest, `unexpected text after the limit ${limitText}: ${text.slice(rest)}`);
  return { text: text.trim(), ref, operator: operator!, limit, limitText };
}

function skipSpace(text: string, from: number): number {
  let at = from;
  while (at < text.length && /\s/.test(text[at]!)) at++;
  return at;
}

const plainNumber = /^\d+(?:\.\d+)?$/;

function limitExample(kind: ValueKind): string {
  switch (kind) {
    case 'ms':
      return '50ms';
    case 'fraction':
      return '0.1%';
    case 'pct':
      return '80%';
    case 'per_s':
      return '10000';
    case 'boolean':
      return 'false';
    case 'kib':
      return '64 (KiB) or 64KiB';
    case 'mib':
      return '512 (MiB) or 512MiB';
    default:
      return '100';
  }
}

const bytesPer: Partial<Record<ValueKind, number>> = { bytes: 1, kib: 1024, mib: 1024 * 1024 };

/** The limit in the metric's unit; `problem` receives the "expected …" text and throws. */
function parseLimit(limit: string, ref: MetricRef, problem: (text: string) => never): number {
  const { kind, name } = ref;
  const viaUnit = (parse: () => number, expected: string): number => {
    try {
      return parse();
    } catch (error) {
      if (error instanceof UnitError) return problem(`${expected}, got ${limit}`);
      throw error;
    }
  };
  switch (kind) {
    case 'ms':
      if (plainNumber.test(limit) && ref.type === 'column') return Number(limit);
      return viaUnit(
        () => parseDuration(limit),
        `expected a duration like 50ms, 1.5s or 500us (${name} is a time${ref.type === 'column' ? '; a bare number is milliseconds' : ''})`,
      );
    case 'fraction': {
      const percent = /^(\d+(?:\.\d+)?)%$/.exec(limit);
      if (percent) return Number(percent[1]) / 100;
      if (plainNumber.test(limit) && Number(limit) <= 1) return Number(limit);
      return problem(`expected a percentage like 0.1% or a fraction from 0 to 1 like 0.001 (${name} is a share of attempts), got ${limit}`);
    }
    case 'pct': {
      const percent = /^(\d+(?:\.\d+)?)%?$/.exec(limit);
      if (percent) return Number(percent[1]);
      return problem(`expected a percentage like 80% (${name} is in percent), got ${limit}`);
    }
    case 'per_s':
      return viaUnit(() => parseRate(limit), `expected a number per second like 10000 or a rate like 10000/s or 600/m`);
    case 'boolean':
      if (limit === 'true' || limit === 'false') return limit === 'true' ? 1 : 0;
      return problem(`expected true or false (${name} is true or false), got ${limit}`);
    case 'bytes':
    case 'kib':
    case 'mib': {
      if (plainNumber.test(limit)) return Number(limit);
      const unit = bytesPer[kind]!;
      return viaUnit(() => parseSize(limit) / unit, `expected a number (in ${name}'s unit) or a size like 64KiB or 2MiB`);
    }
    case 'count':
      if (plainNumber.test(limit)) return Number(limit);
      return problem(`expected a number like 100 (${name} is a count), got ${limit}`);
  }
}
