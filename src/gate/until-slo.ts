// `--until-slo "connect.p99 < 100ms"`: run a capacity ladder step by step and stop at the
// first step that breaks the SLO; the answer is the last count that kept it.
import { ScenarioError } from '../errors.js';
import type { StepResult } from '../results/run-result.js';
import { ExpressionError, holds, parseThresholdExpression, type ThresholdExpression } from '../scenario/threshold-expression.js';
import { formatValue } from '../scenario/metric-ref.js';
import { metricValue } from '../results/metric-value.js';
import { primaryMetricOf } from '../protocols/index.js';
import type { SloResult } from '../results/comparison.js';

export class UntilSlo {
  private readonly expression: ThresholdExpression;
  private lastGood: number | undefined;
  private broken: { label: string; connections: number; value: string } | undefined;

  constructor(text: string) {
    // `connect_p99 < 100ms` reads naturally too: the same as connect.p99.
    const normalized = text.replace(/^(\s*[a-z_]+?)_(p\d+(?:\.\d+)?|max|mean|min)\b/, '$1.$2');
    try {
      this.expression = parseThresholdExpression(normalized);
    } catch (error) {
      if (error instanceof ExpressionError) throw new ScenarioError('--until-slo', '', error.message);
      throw error;
    }
  }

  /** True when this step broke the SLO, so no larger step should run. */
  broke(result: StepResult): boolean {
    const value = metricValue(result, this.expression.ref, primaryMetricOf(result.step));
    if (value !== undefined && holds(value, this.expression.operator, this.expression.limit)) {
      this.lastGood = result.step.connections;
      return false;
    }
    this.broken = {
      label: result.step.stepLabel,
      connections: result.step.connections,
      value: formatValue(this.expression.ref.kind, value),
    };
    return true;
  }

  result(): SloResult {
    return { expression: this.expression.text, brokenAt: this.broken?.label, lastGoodConnections: this.lastGood };
  }

  describe(): string {
    const good = this.lastGood === undefined ? 'no step kept it' : `last good: ${this.lastGood} connections`;
    if (!this.broken) return `SLO ${this.expression.text} held in every step (${good})`;
    return `SLO ${this.expression.text} broke at step ${this.broken.label} (${this.broken.connections} connections, ${this.broken.value}); ${good}`;
  }
}
