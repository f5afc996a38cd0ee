// intervals.jsonl: every interval as measured — full counters, encoded histograms, CPU and
// memory of both sides — one JSON line each, appended as intervals close. It is what
// `sockcap merge` adds up across shards to rebuild timeseries.csv exactly (percentiles
// from added histograms, never from averaged ones).
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Counters } from '../metrics/counters.js';
import { decodeHistogram, encodeHistogram, metricNames, type Histogram, type MetricName } from '../metrics/histogram.js';
import type { IntervalRow, Output, RunInfo } from '../results/run-result.js';

export const intervalLogFile = 'intervals.jsonl';

export interface IntervalRecord {
  stepIndex: number;
  phase: 'warmup' | 'measure';
  elapsedS: number;
  intervalS: number;
  stepDurationS: number;
  connectionsOpen: number;
  counters: Counters;
  histograms: Partial<Record<MetricName, string>>;
  client: { cpuPct: number; rssBytes: number };
  server: { cpuPct: number; rssBytes: number } | null;
  saturationCauses: string[];
}

export class IntervalLog implements Output {
  private file: string | undefined;

  runStarted(run: RunInfo): void {
    this.file = join(run.dir, intervalLogFile);
    if (!run.resumed || !existsSync(this.file)) writeFileSync(this.file, '');
  }

  interval(row: IntervalRow): void {
    if (!this.file) return;
    const histograms: Partial<Record<MetricName, string>> = {};
    for (const [metric, histogram] of row.histograms) if (histogram.totalCount > 0) histograms[metric] = encodeHistogram(histogram);
    const record: IntervalRecord = {
      stepIndex: row.step.stepIndex,
      phase: row.phase,
      elapsedS: row.elapsedS,
      intervalS: row.intervalS,
      stepDurationS: row.stepDurationS,
      connectionsOpen: row.connectionsOpen,
      counters: row.counters,
      histograms,
      client: row.client,
      server: row.server ?? null,
      saturationCauses: row.saturationCauses,
    };
    appendFileSync(this.file, `${JSON.stringify(record)}\n`);
  }
}

/** The intervals a run logged; an unfinished last line (the process died mid-write) is skipped. */
export function readIntervalLog(dir: string): IntervalRecord[] {
  const file = join(dir, intervalLogFile);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((line) => {
      if (!line.trim()) return [];
      try {
        return [JSON.parse(line) as IntervalRecord];
      } catch {
        return [];
      }
    });
}

export function decodeIntervalHistograms(record: IntervalRecord): Map<MetricName, Histogram> {
  const histograms = new Map<MetricName, Histogram>();
  for (const [metric, encoded] of Object.entries(record.histograms)) {
    if ((metricNames as readonly string[]).includes(metric) && encoded) histograms.set(metric as MetricName, decodeHistogram(encoded));
  }
  return histograms;
}
