// intervals.jsonl: every interval as measured — full counters, encoded histograms, CPU and
// memory of both sides — one JSON line each, appended as intervals close. It is what
// `sockcap merge` adds up across shards to rebuild timeseries.csv exactly (percentiles
// from added histograms, never from averaged ones).
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeHistogram, type MetricName } from '../metrics/histogram.js';
import { intervalLogFile, type IntervalRecord } from '../results/interval-log.js';
import type { IntervalRow, Output, RunInfo } from '../results/run-result.js';

export class IntervalLog implements Output {
  private file: string | undefined;
  /** A resumed run's steps that have lines from before: a step run again replaces its earlier, interrupted lines. */
  private earlier = new Set<number>();

  runStarted(run: RunInfo): void {
    this.file = join(run.dir, intervalLogFile);
    if (!run.resumed || !existsSync(this.file)) {
      writeFileSync(this.file, '');
      return;
    }
    // The interrupted run may have been killed mid-line: that unfinished line goes, or the next one would be glued to it.
    const lines = this.lines();
    writeFileSync(this.file, lines.map((line) => `${line.text}\n`).join(''));
    this.earlier = new Set(lines.flatMap((line) => (line.stepIndex === undefined ? [] : [line.stepIndex])));
  }

  /** The file's whole lines and the step each belongs to. */
  private lines(): { text: string; stepIndex: number | undefined }[] {
    const whole = readFileSync(this.file!, 'utf8').split('\n').slice(0, -1);
    return whole.map((text) => {
      try {
        return { text, stepIndex: (JSON.parse(text) as Partial<IntervalRecord>).stepIndex };
      } catch {
        return { text, stepIndex: undefined };
      }
    });
  }

  interval(row: IntervalRow): void {
    if (!this.file) return;
    const stepIndex = row.step.stepIndex;
    if (this.earlier.delete(stepIndex)) {
      writeFileSync(
        this.file,
        this.lines()
          .filter((line) => line.stepIndex !== stepIndex)
          .map((line) => `${line.text}\n`)
          .join(''),
      );
    }
    const histograms: Partial<Record<MetricName, string>> = {};
    for (const [metric, histogram] of row.histograms) if (histogram.totalCount > 0) histograms[metric] = encodeHistogram(histogram);
    const record: IntervalRecord = {
      stepIndex: row.step.stepIndex,
      phase: row.phase,
      elapsedS: row.elapsedS,
      intervalS: row.intervalS,
      stepDurationS: row.stepDurationS,
      connectionsOpen: row.connectionsOpen,
      ...(row.clientsHeld === undefined ? {} : { clientsHeld: row.clientsHeld }),
      counters: row.counters,
      histograms,
      client: row.client,
      server: row.server ?? null,
      saturationCauses: row.saturationCauses,
    };
    appendFileSync(this.file, `${JSON.stringify(record)}\n`);
  }
}
