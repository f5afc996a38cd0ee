// The two calls most programs need: run a scenario and merge shards, each writing the
// same results folder the CLI writes.
import { runScenario } from './coordinator/run.js';
import type { Shard } from './results/shard.js';
import { mergeShards } from './merge/merge.js';
import type { Output, RunResult } from './results/run-result.js';
import { resultFiles } from './outputs/result-files.js';
import { loadScenario } from './scenario/index.js';
import type { ResolvedScenario } from './scenario/types.js';

export interface RunApiOptions {
  /** `--set` overrides, like `['connections=100', 'http.keepAlive=false']`. */
  set?: string[];
  /** Parent folder of the run's results folder; default `results`. */
  resultsDir?: string;
  runId?: string;
  /** 1-based like the CLI's --shard: `{ index: 2, count: 8 }` is shard 2/8. */
  shard?: { index: number; count: number };
  startAt?: Date;
  signal?: AbortSignal;
  /** More consumers of the run's stream (a console, your own) beside the result files. */
  outputs?: Output[];
}

/**
 * Runs a scenario file (or an already loaded scenario; undefined = the quickstart) and
 * resolves with everything measured; the results folder is `result.dir`.
 */
export async function run(scenario?: string | ResolvedScenario, options: RunApiOptions = {}): Promise<RunResult> {
  const resolved = typeof scenario === 'object' ? scenario : await loadScenario(scenario, { set: options.set ?? [] });
  const shard: Shard | undefined = options.shard ? { index: options.shard.index - 1, count: options.shard.count } : undefined;
  return runScenario(resolved, {
    outputs: [...resultFiles(), ...(options.outputs ?? [])],
    resultsDir: options.resultsDir,
    runId: options.runId,
    shard,
    startAt: options.startAt?.getTime(),
    signal: options.signal,
  });
}

/** Merges the results folders of a sharded run into `out`, as `sockcap merge` does. */
export function merge(dirs: string[], options: { out: string; allowPartial?: boolean }): RunResult {
  return mergeShards(dirs, { out: options.out, allowPartial: options.allowPartial ?? false });
}
