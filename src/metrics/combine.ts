// Counters summed and histograms added over several results of the same step: the exact
// way to combine runs, shards or intervals (never averaging percentiles).
import { addCounters, emptyCounters, type Counters } from './counters.js';
import { addHistogram, createHistogram, type Histogram, type MetricName } from './histogram.js';

export interface Measurements {
  totals: Counters;
  histograms: Map<MetricName, Histogram>;
}

export function combineMeasurements(parts: readonly Measurements[]): Measurements {
  const totals = emptyCounters();
  const histograms = new Map<MetricName, Histogram>();
  for (const part of parts) {
    addCounters(totals, part.totals);
    for (const [metric, histogram] of part.histograms) {
      let into = histograms.get(metric);
      if (!into) histograms.set(metric, (into = createHistogram()));
      addHistogram(into, histogram);
    }
  }
  return { totals, histograms };
}
