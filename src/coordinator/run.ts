// A whole run: its steps one after another, every output fed as results arrive, and the
// run's status decided at the end. Ctrl-C and crashed workers still end here, with every
// file written from what was measured so far.
import { errorMessage, RunBrokenError, SockcapError } from '../errors.js';
import type { Output, RunInfo, RunResult, RunStatus, StepResult } from '../outputs/output.js';
import { createResultsDir, makeRunId } from '../outputs/results-dir.js';
import type { ResolvedScenario } from '../scenario/types.js';
import { checkLimits } from './limits.js';
import { checkReachable } from './preflight.js';
import { runStep, StepBrokenError } from './run-step.js';

export interface RunOptions {
  /** Parent folder of results/<run-id>/; default `results`. */
  resultsDir?: string;
  runId?: string;
  outputs: Output[];
  targetPid?: number;
  /** Aborting stops the run as Ctrl-C does: measured results are kept, status `interrupted`. */
  signal?: AbortSignal;
}

/** Feeds every output; an output that throws must not stop the others or the run. */
function fanOut(outputs: Output[]): Required<Output> {
  const call = <K extends keyof Output>(method: K, ...args: Parameters<Required<Output>[K]>): void => {
    for (const output of outputs) {
      const fn = output[method] as ((...a: Parameters<Required<Output>[K]>) => void) | undefined;
      fn?.apply(output, args);
    }
  };
  return {
    runStarted: (run) => call('runStarted', run),
    stepStarted: (step, plan) => call('stepStarted', step, plan),
    interval: (row) => call('interval', row),
    stepFinished: (result) => call('stepFinished', result),
    runFinished: (run) => call('runFinished', run),
  };
}

export async function runScenario(scenario: ResolvedScenario, options: RunOptions): Promise<RunResult> {
  const warnings = checkLimits(scenario.steps);
  const first = scenario.steps[0];
  if (first?.target !== undefined) await checkReachable(first.target);
  const startedAt = new Date();
  const { runId, dir } = createResultsDir(
    options.resultsDir ?? 'results',
    options.runId ?? makeRunId(scenario.base.name, startedAt),
  );
  const info: RunInfo = { runId, dir, scenario, startedAt, warnings };
  const output = fanOut(options.outputs);
  const signal = options.signal ?? new AbortController().signal;
  output.runStarted(info);

  const steps: StepResult[] = [];
  let status: RunStatus = 'completed';
  let reason: string | undefined;
  let failure: unknown;
  for (const step of scenario.steps) {
    if (signal.aborted) break;
    try {
      const result = await runStep(step, {
        output,
        targetPid: options.targetPid,
        signal,
      });
      steps.push(result);
      output.stepFinished(result);
    } catch (error) {
      if (error instanceof StepBrokenError) {
        steps.push(error.partial);
        output.stepFinished(error.partial);
      }
      status = 'broken';
      reason = errorMessage(error);
      failure = error instanceof SockcapError ? error : new RunBrokenError(reason, dir);
      break;
    }
  }
  if (status === 'completed' && signal.aborted) {
    status = 'interrupted';
    reason = 'stopped by signal';
  }
  const result: RunResult = { ...info, endedAt: new Date(), status, reason, steps };
  output.runFinished(result);
  if (failure) throw failure;
  return result;
}
