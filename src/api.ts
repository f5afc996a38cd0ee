// The programmatic API, and what the CLI itself calls: run a scenario and merge shards, each
// writing the same results folder `sockcap run` and `sockcap merge` write.
import { runScenario, type RunOptions } from './coordinator/run.js';
import { mergeShards } from './merge/merge.js';
import type { Output, RunResult, StepResult } from './results/run-result.js';
import { resultFiles } from './outputs/result-files.js';
import type { CapacityCsv } from './outputs/capacity-csv.js';
import { evaluateThresholds } from './gate/evaluate.js';
import type { ThresholdAbort } from './results/threshold-abort.js';
import { loadScenario as loadScenarioFile, type LoadOptions } from './scenario/index.js';
import { protocolRules } from './protocols/scenario-rules.js';
import type { ResolvedScenario } from './scenario/types.js';

/** How the result files are written: the capacity.csv writer that records an SLO, the threshold that aborted the run. */
export interface ResultFileOptions {
  capacity?: CapacityCsv;
  aborted?: () => ThresholdAbort | undefined;
}

export interface RunApiOptions {
  /** `--set` overrides, like `['connections=100', 'http.keepAlive=false']`. */
  set?: string[];
  /** Parent folder of the run's results folder; default `results`. */
  resultsDir?: string;
  runId?: string;
  /** 1-based like the CLI's --shard: `{ index: 2, count: 8 }` is shard 2/8. */
  shard?: { index: number; count: number };
  startAt?: Date;
  /** Aborting stops the run as Ctrl-C does: what was measured is written, status `interrupted`. */
  signal?: AbortSignal;
  /** Aborting it after `signal` ends the finish's waits for workers and the target at once (a second Ctrl-C); the files are still written. */
  hurry?: AbortSignal;
  /** More consumers of the run's stream (a console, your own) beside the result files. */
  outputs?: Output[];
  /** Pid of a local external target, to sample its CPU and memory. */
  targetPid?: number;
  /** Bearer token sent to targetMetrics.url, when it is a `sockcap agent` started with --token. */
  targetMetricsToken?: string;
  /** Called after each step; a reason returned runs no further steps (a capacity ladder past its SLO). */
  stopAfter?: (step: StepResult) => string | undefined;
  /** How the result files are written (the capacity.csv writer that records an SLO, the threshold that aborted). */
  files?: ResultFileOptions;
  /** Continue an interrupted run in its own folder (`sockcap sweep --resume`). */
  resume?: RunOptions['resume'];
  /** Facts recorded in run.json, each under its own key. */
  annotations?: Record<string, unknown>;
  /** The threshold that stopped the run (abortOnFail), so `result.verdict` names it as failed. */
  thresholdAbort?: RunOptions['thresholdAbort'];
}

/** Loads and validates a scenario file (undefined = the quickstart), every protocol's rules included. */
export function loadScenario(file: string | undefined, options: Omit<LoadOptions, 'protocolRules'> = {}): Promise<ResolvedScenario> {
  return loadScenarioFile(file, { ...options, protocolRules });
}

/**
 * Runs a scenario file (or an already loaded scenario; undefined = the quickstart) and
 * resolves with everything measured; the results folder is `result.dir`. A run that broke
 * rejects with RunBrokenError (or InternalError for a bug in sockcap) after writing its files.
 */
export async function run(scenario?: string | ResolvedScenario, options: RunApiOptions = {}): Promise<RunResult> {
  const resolved = typeof scenario === 'object' ? scenario : await loadScenario(scenario, { set: options.set ?? [] });
  return runScenario(resolved, {
    outputs: [
      ...resultFiles({
        ...(options.files?.capacity ? { capacity: options.files.capacity } : {}),
        judge: (steps) => evaluateThresholds(steps, options.files?.aborted?.()),
      }),
      ...(options.outputs ?? []),
    ],
    resultsDir: options.resultsDir,
    runId: options.runId,
    ...(options.shard ? { shard: { index: options.shard.index - 1, count: options.shard.count } } : {}),
    ...(options.startAt ? { startAt: options.startAt.getTime() } : {}),
    signal: options.signal,
    ...(options.hurry ? { hurry: options.hurry } : {}),
    targetPid: options.targetPid,
    targetMetricsToken: options.targetMetricsToken,
    ...(options.stopAfter ? { stopAfter: options.stopAfter } : {}),
    ...(options.resume ? { resume: options.resume } : {}),
    ...(options.annotations ? { annotations: options.annotations } : {}),
    ...(options.thresholdAbort ? { thresholdAbort: options.thresholdAbort } : {}),
  });
}

/** Merges the results folders of a sharded run into `out`, as `sockcap merge` does. */
export function merge(dirs: string[], options: { out: string; allowPartial?: boolean }): RunResult {
  return mergeShards(dirs, { out: options.out, allowPartial: options.allowPartial ?? false });
}
