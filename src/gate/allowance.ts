// How much worse a metric may get before `sockcap compare` calls it a regression: the
// defaults, and `--max-regression latency.p99=10%` to change one. An allowance is relative
// (`10%`) or absolute in the metric's unit (`5ms`, `0.1pp` for error_rate), and has a
// direction: latency is worse when it rises, throughput when it falls.
import { metricNames, type MetricName } from '../metrics/histogram.js';
import { UnitError, parseDuration } from '../scenario/units.js';
import { UsageError } from '../errors.js';
import { formatValue, MetricRefError, parseMetricRef, suggestMetric, type MetricRef } from '../scenario/metric-ref.js';
import type { Allowance } from '../results/comparison.js';

export interface AllowanceRule {
  /** A full metric (`latency.p99`, `error_rate`) or a histogram metric for its percentiles (`latency`). */
  target: string;
  allowance: Allowance | 'off';
}

/** Statistics compared for every histogram metric both runs measured. */
export const comparedStats = ['p50', 'p90', 'p99', 'p999', 'max'] as const;
/** The ones a bare histogram metric (`--max-regression latency=15%`) sets. */
const percentileStats: ReadonlySet<string> = new Set(['p50', 'p90', 'p99', 'p999']);
const higherIsBetter: ReadonlySet<string> = new Set(['throughput_per_s', 'requests', 'messages']);

export function worseDirection(ref: MetricRef): 'up' | 'down' {
  return ref.type === 'column' && higherIsBetter.has(ref.column) ? 'down' : 'up';
}

/** Gated by default: percentiles of the step's main latency metric, throughput and error rate. */
export function defaultAllowance(ref: MetricRef, primary: MetricName): Allowance | undefined {
  if (ref.type === 'histogram') {
    const stat = ref.name.slice(ref.metric.length + 1);
    return ref.metric === primary && percentileStats.has(stat) ? { worse: 'up', amount: 10, relative: true, text: '+10%' } : undefined;
  }
  if (ref.column === 'throughput_per_s') return { worse: 'down', amount: 10, relative: true, text: '-10%' };
  if (ref.column === 'error_rate') return { worse: 'up', amount: 0.001, relative: false, text: '+0.1pp' };
  return undefined;
}

/** The rule the user gave for `ref`: one naming it exactly wins over one naming its histogram metric. */
export function ruleFor(ref: MetricRef, rules: readonly AllowanceRule[]): AllowanceRule | undefined {
  const exact = rules.findLast((rule) => rule.target === ref.name);
  const stat = ref.type === 'histogram' ? ref.name.slice(ref.metric.length + 1) : '';
  const broad = ref.type === 'histogram' && percentileStats.has(stat) ? rules.findLast((rule) => rule.target === ref.metric) : undefined;
  return exact ?? broad;
}

export function allowanceFor(ref: MetricRef, primary: MetricName, rules: readonly AllowanceRule[]): Allowance | undefined {
  const rule = ruleFor(ref, rules);
  if (rule) return rule.allowance === 'off' ? undefined : rule.allowance;
  return defaultAllowance(ref, primary);
}

const usage = 'expected metric=allowance, like latency.p99=10%, throughput_per_s=-5%, error_rate=0.5pp, latency.p50=2ms or rtt.p999=off';

/** Parses one `--max-regression` value; a mistake is a UsageError naming the flag and the position. */
export function parseAllowanceRule(flag: string): AllowanceRule {
  const fail = (position: number, problem: string): never => {
    throw new UsageError(`--max-regression "${flag}" at position ${position}: ${problem}`);
  };
  const equals = flag.indexOf('=');
  if (equals <= 0) return fail(1, usage);
  const name = flag.slice(0, equals).trim();
  const amountText = flag.slice(equals + 1).trim();
  const amountAt = equals + 2;
  if (amountText === '') return fail(amountAt, usage);
  if ((metricNames as readonly string[]).includes(name)) {
    return { target: name, allowance: amountText === 'off' ? 'off' : parseAmount(amountText, `${name}.p99`, (p) => fail(amountAt, p)) };
  }
  try {
    parseMetricRef(name, suggestMetric);
  } catch (error) {
    if (error instanceof MetricRefError) return fail(1 + error.offset, error.message);
    throw error;
  }
  return { target: name, allowance: amountText === 'off' ? 'off' : parseAmount(amountText, name, (p) => fail(amountAt, p)) };
}

function parseAmount(text: string, metricName: string, fail: (problem: string) => never): Allowance {
  const ref = parseMetricRef(metricName, () => undefined);
  const sign = text.startsWith('-') ? 'down' : text.startsWith('+') ? 'up' : undefined;
  const worse = sign ?? worseDirection(ref);
  const magnitude = sign ? text.slice(1) : text;
  const mark = worse === 'up' ? '+' : '-';
  const number = /^(\d+(?:\.\d+)?)(%|pp)?$/.exec(magnitude);
  const points = ref.kind === 'fraction' || ref.kind === 'pct';
  if (number) {
    const amount = Number(number[1]);
    const suffix = number[2];
    if (ref.kind === 'fraction' && suffix !== undefined) {
      // error_rate is a share already: its allowance is in percentage points, whichever sign is written.
      return { worse, amount: amount / 100, relative: false, text: `${mark}${amount}pp` };
    }
    if (suffix === '%') return { worse, amount, relative: true, text: `${mark}${amount}%` };
    if (suffix === 'pp' && points) return { worse, amount, relative: false, text: `${mark}${amount}pp` };
    if (suffix === 'pp') return fail(`pp (percentage points) applies to error_rate and _pct columns; write ${amount}% for a relative change`);
    if (ref.kind === 'ms' && ref.type === 'histogram')
      return fail(`expected a percentage like 10% or a duration like 5ms (${metricName} is a time), got ${text}`);
    if (ref.kind === 'fraction') return { worse, amount, relative: false, text: `${mark}${Number((amount * 100).toFixed(4))}pp` };
    return { worse, amount, relative: false, text: `${mark}${formatValue(ref.kind, amount)}` };
  }
  if (ref.kind === 'ms') {
    try {
      const ms = parseDuration(magnitude);
      return { worse, amount: ms, relative: false, text: `${mark}${formatValue('ms', ms)}` };
    } catch (error) {
      if (!(error instanceof UnitError)) throw error;
    }
  }
  return fail(`${usage}, got ${text}`);
}
