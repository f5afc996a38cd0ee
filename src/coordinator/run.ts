// A whole run: its steps one after another, every output fed as results arrive, and the
// run's status decided at the end. Ctrl-C and crashed workers still end here, with every
// file written from what was measured so far.
import { errorMessage, InternalError, RunBrokenError, SockcapError, UsageError } from '../errors.js';
import { describeFailure, fanOut } from './fan-out.js';
import type { Output, RunInfo, RunResult, RunStatus, StepResult } from '../results/run-result.js';
import { createResultsDir, makeRunId } from '../results/results-dir.js';
import type { ResolvedScenario } from '../scenario/types.js';
import { checkLimits } from './limits.js';
import { insecureWarning, skipsVerification } from '../scenario/tls.js';
import { checkSteps } from './preflight.js';
import { saturationWarnings } from './saturation.js';
import { makeManifest } from '../results/manifest.js';
import type { Shard } from '../results/shard.js';
import { runStep, StepBrokenError } from './run-step.js';
import { evaluateThresholds } from '../gate/evaluate.js';
import type { ThresholdAbort } from '../results/threshold-abort.js';
import { runVerdict } from '../results/default-verdict.js';

export interface RunOptions {
  /** Parent folder of results/<run-id>/; default `results`. */
  resultsDir?: string;
  runId?: string;
  outputs: Output[];
  targetPid?: number;
  /** Bearer token sent to targetMetrics.url (`sockcap agent --token`). */
  targetMetricsToken?: string | undefined;
  /** Aborting stops the run as Ctrl-C does: measured results are kept, status `interrupted`. */
  signal?: AbortSignal;
  /** Aborted after `signal`: the finish waits for nothing more (the files are still written). */
  hurry?: AbortSignal;
  /** Run only this deterministic slice of the scenario (`--shard 2/8`); default 1/1. */
  shard?: Shard;
  /** Epoch ms the first step starts at, so shards on several machines line up. */
  startAt?: number;
  /** Returns a reason to run no further steps (a capacity ladder that broke its SLO). */
  stopAfter?: (result: StepResult) => string | undefined;
  /**
   * Continue an earlier run in its own folder: its finished steps are fed to the outputs
   * again (so every file lists them) and only the scenario's other steps run.
   */
  resume?: { runId: string; dir: string; finished: StepResult[] };
  /** Facts the calling command records in run.json (a sweep's dimensions). */
  annotations?: Record<string, unknown>;
  /** The threshold that stopped the run (abortOnFail), so the verdict names it as failed. */
  thresholdAbort?: () => ThresholdAbort | undefined;
}

export async function runScenario(scenario: ResolvedScenario, options: RunOptions): Promise<RunResult> {
  if (options.targetPid !== undefined && scenario.steps.some((step) => step.targetMetrics.url !== '')) {
    throw new UsageError('--target-pid and targetMetrics.url (--target-metrics) both say where the server is measured: give one of them');
  }
  const warnings = checkLimits(scenario.steps, options.shard?.count ?? 1);
  if (skipsVerification(scenario.steps)) warnings.push(insecureWarning);
  const signal = options.signal ?? new AbortController().signal;
  // A signal during the check of the target stops it there: the results folder then says so.
  const checking = checkSteps(scenario.steps).then(() => true);
  let onCheckStopped = (): void => {};
  const stopped = new Promise<boolean>((resolve) => {
    onCheckStopped = () => resolve(false);
    if (signal.aborted) resolve(false);
    else signal.addEventListener('abort', onCheckStopped, { once: true });
  });
  const checked = await Promise.race([checking, stopped]);
  // An API user's signal outlives the run: every listener the run adds is taken off again.
  signal.removeEventListener('abort', onCheckStopped);
  // The check's connections end on their own within seconds; what they find after the signal no longer matters.
  if (!checked) checking.catch(() => undefined);
  const startedAt = new Date();
  const { runId, dir } = options.resume ?? createResultsDir(options.resultsDir ?? 'results', options.runId ?? makeRunId(scenario.base.name, startedAt));
  const manifest = makeManifest(scenario, options.shard ?? { index: 0, count: 1 }, options.runId, options.startAt);
  const info: RunInfo = {
    runId,
    dir,
    scenario,
    startedAt,
    warnings,
    resumed: options.resume !== undefined,
    annotations: { ...options.annotations, manifest },
  };
  const output = fanOut(options.outputs);
  output.runStarted(info);

  // Where the run is, so an interrupted run.json says where it stopped.
  let where = checked ? 'before the first step' : 'before the first step, checking the target';
  let stoppedWhere: string | undefined;
  const noteStop = (): void => {
    stoppedWhere ??= where;
  };
  if (signal.aborted) noteStop();
  else signal.addEventListener('abort', noteStop, { once: true });

  const steps: StepResult[] = [];
  let status: RunStatus = 'completed';
  let reason: string | undefined;
  let failure: Error | undefined;
  for (const done of options.resume?.finished ?? []) {
    steps.push(done);
    output.stepFinished(done);
  }
  const finished = new Set(steps.map((done) => done.step.stepIndex));
  for (const step of scenario.steps) {
    if (finished.has(step.stepIndex)) continue;
    if (signal.aborted) break;
    where = `in step ${step.stepLabel}, starting its target and workers`;
    try {
      const result = await runStep(step, {
        onPhase: (phase) => (where = `in step ${step.stepLabel}, ${phase}`),
        output,
        targetPid: options.targetPid,
        targetMetricsToken: options.targetMetricsToken,
        shard: options.shard ?? { index: 0, count: 1 },
        ...(step.stepIndex === 0 && options.startAt !== undefined ? { startAt: options.startAt } : {}),
        signal,
        ...(options.hurry ? { hurry: options.hurry } : {}),
      });
      if (result === undefined) break;
      steps.push(result);
      where = `after step ${step.stepLabel}, writing its results`;
      output.stepFinished(result);
      where = `after step ${step.stepLabel}`;
      const stop = options.stopAfter?.(result);
      if (stop) {
        reason = stop;
        break;
      }
    } catch (error) {
      if (error instanceof StepBrokenError) {
        steps.push(error.partial);
        output.stepFinished(error.partial);
      }
      status = 'broken';
      reason = errorMessage(error);
      // A step that broke for a known reason (a crashed worker, the target gone) is one line; anything else is a bug and keeps its stack.
      if (error instanceof RunBrokenError) failure = new RunBrokenError(reason, dir);
      else failure = error instanceof SockcapError ? error : new InternalError(error, dir);
      break;
    }
  }
  signal.removeEventListener('abort', noteStop);
  if (status === 'completed' && signal.aborted) {
    status = 'interrupted';
    // An abort with a reason (abortOnFail's threshold) says why; Ctrl-C gives none.
    reason = typeof signal.reason === 'string' ? signal.reason : `stopped by signal ${stoppedWhere ?? where}`;
  }
  const outputFailures = output.failures().map(describeFailure);
  if (status === 'completed' && outputFailures.length > 0) {
    status = 'broken';
    reason = `an output failed: ${outputFailures.join('; ')}`;
    failure = new RunBrokenError(reason, dir);
  }
  const verdict = runVerdict(steps, status, reason, evaluateThresholds(steps, options.thresholdAbort?.()));
  const result: RunResult = {
    ...info,
    warnings: [...warnings, ...saturationWarnings(steps), ...scrapeWarnings(steps)],
    endedAt: new Date(),
    status,
    reason,
    steps,
    verdict,
  };
  output.runFinished(result);
  const lateFailures = output.failures().map(describeFailure).slice(outputFailures.length);
  if (!failure && lateFailures.length > 0) failure = new RunBrokenError(`an output failed: ${lateFailures.join('; ')}`, dir);
  if (failure) throw failure;
  return result;
}

/** A step whose metrics endpoint did not always answer: how often, and why the first time. */
function scrapeWarnings(steps: StepResult[]): string[] {
  return steps.flatMap((result) => {
    const scrapes = result.serverScrapes;
    if (!scrapes || scrapes.failures === 0) return [];
    return [
      `step ${result.step.stepLabel}: ${scrapes.failures} of ${scrapes.attempts} scrapes of ${result.step.targetMetrics.url} failed (first: ${scrapes.firstFailure ?? 'unknown'}); server cells are empty where they did`,
    ];
  });
}
