// intervals.jsonl read back: what `sockcap merge` adds up across shards and what
// `sockcap compare` measures a run's interval-to-interval noise from. Written by
// src/outputs/interval-log.ts.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Counters } from '../metrics/counters.js';
import { decodeHistogram, metricNames, type Histogram, type MetricName } from '../metrics/histogram.js';

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
  server: { cpuPct: number; rssBytes: number; openFds?: number | undefined } | null;
  saturationCauses: string[];
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
