// Threshold expressions and --max-regression allowances: what they accept, and the precise
// messages (which expression, which position, what is allowed) for what they refuse.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ScenarioError, UsageError } from '../src/errors.js';
import { allowanceFor, parseAllowanceRule } from '../src/gate/allowance.js';
import { ExpressionError, parseThresholdExpression } from '../src/scenario/threshold-expression.js';
import { parseMetricRef } from '../src/scenario/metric-ref.js';
import { thresholdsFromFlags } from '../src/gate/threshold-flags.js';
import { validateScenario } from '../src/scenario/index.js';
import { protocolRules } from '../src/protocols/scenario-rules.js';

function expressionError(text: string): ExpressionError {
  try {
    parseThresholdExpression(text);
  } catch (error) {
    if (error instanceof ExpressionError) return error;
    throw error;
  }
  assert.fail(`expected "${text}" to be refused`);
}

test('expressions from the issue parse into metric, operator and a limit in the metric unit', () => {
  const cases: [string, string, string, number][] = [
    ['latency.p99 < 50ms', 'latency.p99', '<', 50],
    ['rtt.p999 <= 200ms', 'rtt.p999', '<=', 200],
    ['error_rate < 0.1%', 'error_rate', '<', 0.001],
    ['throughput_per_s > 10000', 'throughput_per_s', '>', 10000],
    ['connect.p99.9 < 1.5s', 'connect.p99.9', '<', 1500],
    ['latency.max<250us', 'latency.max', '<', 0.25],
    ['client_cpu_pct < 80%', 'client_cpu_pct', '<', 80],
    ['latency_p99_ms < 20', 'latency_p99_ms', '<', 20],
    ['generator_saturated == false', 'generator_saturated', '==', 0],
    ['  latency.mean   !=  0ms ', 'latency.mean', '!=', 0],
  ];
  for (const [text, metric, operator, limit] of cases) {
    const parsed = parseThresholdExpression(text);
    assert.equal(parsed.ref.name, metric, text);
    assert.equal(parsed.operator, operator, text);
    assert.ok(Math.abs(parsed.limit - limit) < 1e-9, `${text}: limit ${parsed.limit}`);
  }
});

test('percentile names: p999 is 99.9, p9999 is 99.99, p99.9 is 99.9', () => {
  const percentile = (name: string): number => {
    const ref = parseMetricRef(`latency.${name}`, () => undefined);
    assert.ok(ref.type === 'histogram' && ref.stat.kind === 'percentile');
    return ref.stat.percentile;
  };
  assert.equal(percentile('p50'), 50);
  assert.equal(percentile('p999'), 99.9);
  assert.equal(percentile('p9999'), 99.99);
  assert.equal(percentile('p99.9'), 99.9);
  assert.equal(percentile('p100'), 100);
});

test('refusals name the position and what is allowed', () => {
  const unknown = expressionError('latncy.p99 < 50ms');
  assert.equal(unknown.position, 1);
  assert.match(unknown.message, /^"latncy.p99 < 50ms" at position 1: unknown metric latncy.p99; did you mean latency\?/);
  assert.match(unknown.message, /allowed: a histogram metric \(latency, /);

  const stat = expressionError('latency.p99x < 50ms');
  assert.equal(stat.position, 9);
  assert.match(stat.problem, /unknown statistic p99x of latency \(allowed: p50, p90, p99, p999, max, mean, min/);

  const noStat = expressionError('latency < 50ms');
  assert.equal(noStat.position, 8);
  assert.match(noStat.problem, /expected a statistic after latency, like latency.p99/);

  const unit = expressionError('latency.p99 < 50');
  assert.equal(unit.position, 15);
  assert.match(unit.problem, /expected a duration like 50ms/);

  const operator = expressionError('latency.p99 = 50ms');
  assert.equal(operator.position, 13);
  assert.match(operator.problem, /expected == \(or <=, >=\) where = stands/);

  const missing = expressionError('error_rate <');
  assert.equal(missing.position, 13);
  assert.match(missing.problem, /expected a limit after <, like 0.1%/);

  const share = expressionError('error_rate < 5');
  assert.match(share.problem, /expected a percentage like 0.1% or a fraction from 0 to 1/);

  const text = expressionError('protocol == http');
  assert.match(text.problem, /protocol is a text column and thresholds compare numbers/);

  const trailing = expressionError('latency.p99 < 50ms and more');
  assert.equal(trailing.position, 20);
  assert.match(trailing.problem, /unexpected text after the limit 50ms: and more/);

  assert.match(expressionError('').problem, /expected a metric, a comparison and a limit, like latency.p99 < 50ms/);
});

function scenarioError(raw: Record<string, unknown>): ScenarioError {
  try {
    validateScenario(raw, { where: 'gate.yaml', name: 'gate', protocolRules });
  } catch (error) {
    if (error instanceof ScenarioError) return error;
    throw error;
  }
  assert.fail('expected the scenario to be refused');
}

test('scenario thresholds are checked at load: the message names thresholds[2] and the position', () => {
  const error = scenarioError({ thresholds: ['latency.p99 < 50ms', 'error_rate < 1%', 'latency.p99 < 50ms and', 'x < 1'] });
  assert.equal(error.field, 'thresholds[2]');
  assert.match(error.message, /^gate.yaml: thresholds\[2\]: "latency.p99 < 50ms and" at position 20: unexpected text/);

  const unknown = scenarioError({ thresholds: ['latency.p99 < 50ms', { expression: 'throughput < 10' }] });
  assert.equal(unknown.field, 'thresholds[1].expression');
  assert.match(unknown.message, /unknown metric throughput; did you mean throughput_per_s\?/);

  const grace = scenarioError({ thresholds: [{ expression: 'latency.p99 < 50ms', gracePeriod: '5s' }] });
  assert.equal(grace.field, 'thresholds[0].gracePeriod');

  const inStep = scenarioError({ steps: [{ name: 'a' }, { name: 'b', thresholds: ['rtt.p42x < 1ms'] }] });
  assert.equal(inStep.field, 'steps[1].thresholds[0]');
});

test('scenario thresholds load as expressions with abortOnFail and gracePeriod', () => {
  const resolved = validateScenario(
    { thresholds: ['latency.p99 < 50ms', { expression: 'error_rate < 1%', abortOnFail: true, gracePeriod: '2s' }] },
    { where: 'gate.yaml', name: 'gate', protocolRules },
  );
  assert.deepEqual(resolved.steps[0]!.thresholds, [
    { expression: 'latency.p99 < 50ms', abortOnFail: false, gracePeriod: 0 },
    { expression: 'error_rate < 1%', abortOnFail: true, gracePeriod: 2000 },
  ]);
});

test('--threshold flags are refused with the flag named', () => {
  assert.throws(
    () => thresholdsFromFlags(['latency.p99 < 50ms', 'latency.p99 < fast']),
    (error: unknown) => {
      assert.ok(error instanceof ScenarioError);
      assert.match(error.message, /^--threshold: "latency.p99 < fast" at position 15: expected a duration/);
      return true;
    },
  );
});

test('--max-regression: relative, absolute, percentage points, off, and precise refusals', () => {
  const p99 = parseMetricRef('latency.p99', () => undefined);
  const p50 = parseMetricRef('latency.p50', () => undefined);
  const max = parseMetricRef('latency.max', () => undefined);
  const throughput = parseMetricRef('throughput_per_s', () => undefined);
  const errorRate = parseMetricRef('error_rate', () => undefined);
  // Defaults: percentiles of the main metric +10%, throughput -10%, error rate +0.1 points, max not gated.
  assert.deepEqual(allowanceFor(p99, 'latency', []), { worse: 'up', amount: 10, relative: true, text: '+10%' });
  assert.equal(allowanceFor(max, 'latency', []), undefined);
  assert.equal(allowanceFor(p99, 'rtt', []), undefined);
  assert.equal(allowanceFor(throughput, 'latency', [])?.worse, 'down');
  assert.deepEqual(allowanceFor(errorRate, 'latency', []), { worse: 'up', amount: 0.001, relative: false, text: '+0.1pp' });

  const rules = ['latency=20%', 'latency.p99=5%', 'latency.p50=2ms', 'error_rate=0.5pp', 'throughput_per_s=3%'].map(parseAllowanceRule);
  assert.equal(allowanceFor(p99, 'latency', rules)?.amount, 5);
  assert.deepEqual(allowanceFor(p50, 'latency', rules), { worse: 'up', amount: 2, relative: false, text: '+2 ms' });
  assert.equal(
    allowanceFor(
      parseMetricRef('latency.p90', () => undefined),
      'latency',
      rules,
    )?.amount,
    20,
  );
  assert.equal(allowanceFor(errorRate, 'latency', rules)?.amount, 0.005);
  assert.deepEqual(allowanceFor(throughput, 'latency', rules), { worse: 'down', amount: 3, relative: true, text: '-3%' });
  assert.equal(allowanceFor(p99, 'latency', [parseAllowanceRule('latency.p99=off')]), undefined);

  const refused = (flag: string, pattern: RegExp): void =>
    assert.throws(
      () => parseAllowanceRule(flag),
      (error: unknown) => error instanceof UsageError && pattern.test(error.message),
      flag,
    );
  refused('latency.p99', /^--max-regression "latency.p99" at position 1: expected metric=allowance/);
  refused('latncy.p99=10%', /at position 1: unknown metric latncy.p99; did you mean latency\?/);
  refused('latency.p99=ten', /at position 13: expected metric=allowance/);
  refused('latency.p99=10', /expected a percentage like 10% or a duration like 5ms/);
  refused('throughput_per_s=3pp', /pp \(percentage points\) applies to error_rate and _pct columns/);
});
