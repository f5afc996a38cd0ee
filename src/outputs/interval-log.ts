// intervals.jsonl: every interval as measured — full counters, encoded histograms, CPU and
// memory of both sides — one JSON line each, appended as intervals close. It is what
// `sockcap merge` adds up across shards to rebuild timeseries.csv exactly (percentiles
// from added histograms, never from averaged ones).
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeHistogram, type MetricName } from '../metrics/histogram.js';
import { intervalLogFile, type IntervalRecord } from '../results/interval-log.js';
import type { IntervalRow, Output, RunInfo } from '../results/run-result.js';

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
