// `sockcap merge`: the results folders of a sharded run become one results folder with
// exactly the files a single run writes, from added histograms and summed counters.
import type { IntervalRow, Output, RunInfo, RunResult, StepResult } from '../results/run-result.js';
import { createResultsDir } from '../results/results-dir.js';
import { resultFiles } from '../outputs/result-files.js';
import { combineIntervals, combineStep } from './combine-shards.js';
import { readShards } from './shards.js';
import { runVerdict, answeredIn } from '../results/default-verdict.js';
import { UnansweredTailTracker } from '../results/unanswered-tail.js';
import { evaluateThresholds } from '../gate/evaluate.js';

export interface MergeOptions {
  /** Folder the merged results go to; created if missing, refused if it already holds a run. */
  out: string;
  allowPartial: boolean;
  /** Extra outputs (the console) beside the files. */
  outputs?: Output[];
}

/**
 * Whether the merged step's target stopped answering, from the merged intervals: a shard that
 * still got answers at the end keeps the whole step from failing, as its connections would
 * have in a single run.
 */
function unansweredTail(step: StepResult, intervals: readonly IntervalRow[]): StepResult['unansweredTail'] {
  const tracker = new UnansweredTailTracker((counters, held) => answeredIn(counters, step.step.workload, held));
  for (const row of intervals) {
    if (row.step.stepIndex === step.step.stepIndex && row.phase === 'measure')
      tracker.add(row.elapsedS - row.intervalS, row.elapsedS, row.counters, row.clientsHeld ?? row.connectionsOpen);
  }
  return tracker.tail;
}

export function mergeShards(dirs: readonly string[], options: MergeOptions): RunResult {
  const { shards, count, missing, duplicates } = readShards(dirs, options.allowPartial);
  const partial = missing.length > 0;
  const first = shards[0]!.run;
  const stepIndexes = [...new Set(shards.flatMap((shard) => shard.run.steps.map((step) => step.step.stepIndex)))].sort((a, b) => a - b);
  const combined: StepResult[] = stepIndexes.map((index) =>
    combineStep(
      shards.flatMap((shard) => shard.run.steps.filter((step) => step.step.stepIndex === index)),
      count,
    ),
  );
  const intervals = combineIntervals(
    shards.map((shard) => shard.intervals),
    new Map(combined.map((step) => [step.step.stepIndex, step])),
  );
  const steps = combined.map((step) => ({ ...step, unansweredTail: unansweredTail(step, intervals) }));

  const { runId, dir } = createResultsDir(options.out, `${first.runId}-merged`, true);
  const warnings = [
    ...(partial ? [`partial merge: shard${missing.length === 1 ? '' : 's'} ${missing.map((i) => `${i + 1}/${count}`).join(', ')} missing`] : []),
    ...(duplicates.length > 0 ? [`duplicate shards ${duplicates.map((i) => `${i + 1}/${count}`).join(', ')}: the first folder of each was used`] : []),
  ];
  const info: RunInfo = {
    runId,
    dir,
    scenario: first.scenario,
    startedAt: new Date(Math.min(...shards.map((shard) => shard.run.startedAt.getTime()))),
    warnings,
    annotations: {
      merged: {
        shards: count,
        partial,
        missing: missing.map((i) => i + 1),
        from: shards.map((shard) => ({ dir: shard.dir, shard: `${shard.manifest.shard.index + 1}/${count}`, runId: shard.run.runId })),
      },
      manifest: { ...shards[0]!.manifest, shard: { index: 0, count: 1 } },
    },
  };
  const statuses = shards.map((shard) => shard.run.status);
  const status = statuses.includes('broken') ? 'broken' : statuses.includes('interrupted') ? 'interrupted' : 'completed';
  const reason = partial ? 'partial: some shards are missing' : undefined;
  const result: RunResult = {
    ...info,
    endedAt: new Date(Math.max(...shards.map((shard) => shard.run.endedAt.getTime()))),
    status,
    reason,
    steps,
    // Judged on the merged steps: one shard's few errors may be the whole run's many.
    verdict: runVerdict(steps, status, reason, evaluateThresholds(steps)),
  };
  const outputs: Output[] = [...resultFiles({ judge: (judged) => evaluateThresholds(judged) }), ...(options.outputs ?? [])];
  for (const output of outputs) output.runStarted?.(info);
  for (const row of intervals) for (const output of outputs) output.interval?.(row);
  for (const step of steps) for (const output of outputs) output.stepFinished?.(step);
  for (const output of outputs) output.runFinished?.(result);
  return result;
}
