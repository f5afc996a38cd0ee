// sweep.csv: one row per finished combination of a sweep: the varied values, every summary
// column and the keep-alive columns. Rewritten whole after each step (a resumed sweep's
// earlier rows come back through the replayed steps), so an interrupted sweep keeps every
// finished row and no half-measured one.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SweepRecord } from './goal.js';
import type { Dimension } from './vary.js';
import { csvText } from '../outputs/csv.js';
import { keepAliveColumns, keepAliveRow, type ServerTimeout } from '../outputs/keepalive-columns.js';
import type { Output, RunInfo, StepResult } from '../results/run-result.js';
import { summaryRow } from '../results/summary-row.js';
import { primaryMetricOf } from '../protocols/index.js';
import { summaryColumns } from '../metrics/summary-columns.js';

export interface SweepLayout {
  dimensions: Dimension[];
  /** The values of combination i (step i). */
  combos: string[][];
  /** An external target's idle timeout, probed or given; undefined for the built-in target or when unknown. */
  serverTimeout: ServerTimeout | undefined;
}

export function sweepColumns(layout: SweepLayout): string[] {
  const fixed: readonly string[] = [...summaryColumns, ...keepAliveColumns];
  // A varied field that is a summary column already (connections) is not repeated.
  const varied = layout.dimensions.map((dimension) => dimension.path).filter((path) => !fixed.includes(path));
  return ['step_index', ...varied, ...fixed];
}

export function sweepRecord(run: RunInfo, result: StepResult, layout: SweepLayout): SweepRecord {
  const values = layout.combos[result.step.stepIndex] ?? [];
  return {
    step_index: result.step.stepIndex,
    ...Object.fromEntries(layout.dimensions.map((dimension, i) => [dimension.path, values[i]])),
    ...summaryRow(run.runId, run.scenario.base.name, result, primaryMetricOf(result.step)),
    ...keepAliveRow(result, layout.serverTimeout),
  };
}

export class SweepCsv implements Output {
  private run: RunInfo | undefined;
  private readonly records = new Map<number, SweepRecord>();

  constructor(readonly layout: SweepLayout) {}

  runStarted(run: RunInfo): void {
    this.run = run;
    this.write();
  }

  stepFinished(result: StepResult): void {
    if (!this.run || result.interrupted) return;
    this.records.set(result.step.stepIndex, sweepRecord(this.run, result, this.layout));
    this.write();
  }

  /** The finished combinations, in step order. */
  rows(): SweepRecord[] {
    return [...this.records.entries()].sort(([a], [b]) => a - b).map(([, record]) => record);
  }

  private write(): void {
    if (!this.run) return;
    writeFileSync(join(this.run.dir, 'sweep.csv'), csvText(this.rows(), sweepColumns(this.layout)));
  }
}
