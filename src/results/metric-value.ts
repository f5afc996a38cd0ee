// The value a threshold, a regression allowance or a report reads for a metric reference:
// from the step's merged histogram, or from the same summary row summary.csv writes, so a gate
// and summary.csv never disagree about a number.
import type { MetricRef } from '../scenario/metric-ref.js';
import type { MetricName } from '../metrics/histogram.js';
import type { StepResult } from './run-result.js';
import { summaryRow } from './summary-row.js';

/** The measured value in the metric's own unit (ms for histograms), or undefined when the step measured nothing for it. */
/** `primary` is the step's primary metric (from the protocol registry), for the latency_* columns. */
export function metricValue(result: StepResult, ref: MetricRef, primary: MetricName): number | undefined {
  if (ref.type === 'histogram') {
    const histogram = result.histograms.get(ref.metric);
    if (!histogram || histogram.totalCount === 0) return undefined;
    switch (ref.stat.kind) {
      case 'min':
        return histogram.minNonZeroValue / 1000;
      case 'mean':
        return Math.round(histogram.mean) / 1000;
      case 'max':
        return histogram.maxValue / 1000;
      case 'percentile':
        return histogram.getValueAtPercentile(ref.stat.percentile) / 1000;
    }
  }
  const value = (summaryRow('', '', result, primary) as Record<string, unknown>)[ref.column];
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}
