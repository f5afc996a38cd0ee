// Percentile distributions, HDR style: x is 1/(1-p) on a log scale, so 90%, 99% and 99.9%
// sit evenly apart and the tail is visible. One chart per metric, one series per step; the
// split of latency into reused and fresh sockets is the keep-alive view's, not drawn twice here.
import { metricNames, percentileDistribution, summarize, type Histogram, type MetricName } from '../../metrics/histogram.js';
import { round } from '../../results/number-format.js';
import { primaryMetricOf } from '../../protocols/index.js';
import { chartHolder, formatMs, type ChartSpec, type Section } from './html.js';
import type { ReportRun } from './verdict.js';
import { formatDecimal } from '../../metrics/decimal.js';

/** Metrics that are a part of another (latency on reused, fresh or newcomer sockets) or a detail shown elsewhere. */
const parts: ReadonlySet<MetricName> = new Set(['latency_reused', 'latency_fresh', 'latency_newcomer', 'race_idle']);

export interface Distribution {
  label: string;
  histogram: Histogram | undefined;
  color?: string;
  style?: 'line' | 'dashed';
}

/** One chart of several distributions of one metric; undefined when none has a sample. */
export function percentileChart(id: string, title: string, entries: readonly Distribution[]): ChartSpec | undefined {
  const measured = entries.filter((entry) => (entry.histogram?.totalCount ?? 0) > 0);
  if (measured.length === 0) return undefined;
  const points = measured.map((entry) => {
    const byX = new Map<number, number>();
    for (const row of percentileDistribution(entry.histogram!)) if (row.percentile < 100) byX.set(round(100 / (100 - row.percentile), 6), row.valueMs);
    return byX;
  });
  const x = [...new Set(points.flatMap((byX) => [...byX.keys()]))].sort((a, b) => a - b);
  return {
    id,
    title,
    unit: 'ms',
    xKind: 'percentile',
    xLabel: 'percentile',
    x,
    series: measured.map((entry, i) => {
      const stats = summarize(entry.histogram);
      return {
        label: entry.label,
        summary: `p50 ${formatMs(stats.p50)}, p99 ${formatMs(stats.p99)}, max ${formatMs(stats.max)}, ${formatDecimal(stats.count, 3)} samples`,
        values: x.map((value) => points[i]!.get(value) ?? null),
        ...(entry.color ? { color: entry.color } : {}),
        ...(entry.style ? { style: entry.style } : {}),
      };
    }),
    markers: [],
    bands: [],
    levels: [],
  };
}

export function distributionSection(run: ReportRun): Section {
  const measured = new Set(run.steps.flatMap((step) => [...step.histograms.entries()].filter(([, h]) => h.totalCount > 0).map(([metric]) => metric)));
  // Each step's main metric first, then the rest in the order summary.csv names them.
  const mains = new Set(run.steps.map((step) => primaryMetricOf(step.step)));
  const metrics = [...metricNames].filter((metric) => measured.has(metric) && !parts.has(metric)).sort((a, b) => Number(mains.has(b)) - Number(mains.has(a)));
  const charts = metrics.flatMap((metric) => {
    const chart = percentileChart(
      `distribution-${metric}`,
      `${metric} percentile distribution`,
      run.steps.map((step) => ({ label: step.step.stepLabel, histogram: step.histograms.get(metric) })),
    );
    return chart ? [chart] : [];
  });
  return { id: 'distribution', title: 'Percentile distributions (measured part of each step)', html: charts.map(chartHolder).join('\n'), charts };
}
