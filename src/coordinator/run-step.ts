// Runs one step: start the built-in target if there is no external one, split the
// connections over worker threads, merge their snapshots into timeseries rows as they come,
// sample CPU and memory of both sides, and return the step's measured result.
import { totalStageDuration } from '../workloads/arrival-schedule.js';
import { cpuPercent, sampleProcess, sampleSelf, type ProcessSample } from '../metrics/process-sampler.js';
import type { IntervalRow, Output, StepResult } from '../outputs/output.js';
import type { StepScenario } from '../scenario/types.js';
import { spawnTarget, type TargetProcess } from '../target/spawn.js';
import type { Slice } from '../worker/messages.js';
import { now, sleepUntil } from '../worker/clock.js';
import { StepCollector, type IntervalAggregate } from './collector.js';
import { runSlices } from './pool.js';
import { saturationCauses } from './saturation.js';
import { splitEvenly } from './split.js';
import { RunBrokenError } from '../errors.js';

/** Time for the pool's threads to start before the first connection opens. */
const startDelayMs = 300;

export interface StepOptions {
  output: Output;
  /** pid of a local external target to sample (e.g. nginx), when the user names one. */
  targetPid: number | undefined;
  signal: AbortSignal;
}

/** With stages, the stages are the whole profile and set the step's length. */
export function stepDuration(step: StepScenario): number {
  return step.stages.length > 0 ? totalStageDuration(step.stages) : step.duration;
}

export function describePlan(step: StepScenario, workers: number): string {
  const shares = splitEvenly(step.connections, workers);
  return `${step.connections} connections over ${workers} worker thread${workers === 1 ? '' : 's'} (${shares.join(' + ')})`;
}

export async function runStep(step: StepScenario, options: StepOptions): Promise<StepResult> {
  const builtIn = step.target === undefined;
  let targetProcess: TargetProcess | undefined;
  if (builtIn) targetProcess = await spawnTarget({ settings: step.server });
  let result: StepResult | undefined;
  try {
    const target = targetProcess?.url ?? step.target!;
    result = await drive(step, target, targetProcess, options);
    return result;
  } catch (error) {
    if (error instanceof StepBrokenError) result = error.partial;
    throw error;
  } finally {
    // Stopping closes every socket first, so these are the target's complete counts.
    const stats = await targetProcess?.stop().catch(() => undefined);
    if (result && stats) result.targetStats = stats;
  }
}

async function drive(
  step: StepScenario,
  target: string,
  targetProcess: TargetProcess | undefined,
  options: StepOptions,
): Promise<StepResult> {
  const { output } = options;
  const targetPid = targetProcess?.pid ?? options.targetPid;
  const workers = Math.max(1, Math.min(step.workers, step.connections));
  const shares = splitEvenly(step.connections, workers);
  const startAt = now() + startDelayMs;
  const measureFrom = startAt + step.warmup;
  const endAt = measureFrom + stepDuration(step);
  const slices: Slice[] = shares.map((connections, workerIndex) => ({
    scenario: step,
    target,
    workerIndex,
    workerCount: workers,
    connections,
    firstConnection: shares.slice(0, workerIndex).reduce((sum, share) => sum + share, 0),
    totalConnections: step.connections,
    startAt,
    measureFrom,
    endAt,
  }));
  output.stepStarted?.(step, describePlan(step, workers));

  let lastClient = sampleSelf();
  let lastServer = targetPid ? sampleProcess(targetPid) : undefined;
  let clientRssPeak = 0;
  let serverRssPeak = 0;
  const stepCauses = new Set<string>();

  const emitRow = (interval: IntervalAggregate): void => {
    const client = sampleSelf();
    const server = targetPid ? sampleProcess(targetPid) : undefined;
    const clientCpuPct = cpuPercent(lastClient, client);
    const serverCpuPct = cpuPercent(lastServer, server);
    lastClient = client;
    lastServer = server ?? lastServer;
    const causes = saturationCauses(interval.histograms, interval.counters, clientCpuPct);
    if (!interval.warmup) {
      clientRssPeak = Math.max(clientRssPeak, client.rssBytes);
      serverRssPeak = Math.max(serverRssPeak, server?.rssBytes ?? 0);
      for (const cause of causes) stepCauses.add(cause);
    }
    const row: IntervalRow = {
      step,
      phase: interval.warmup ? 'warmup' : 'measure',
      elapsedS: (interval.endedAt - startAt) / 1000,
      intervalS: (interval.endedAt - interval.startedAt) / 1000,
      connectionsOpen: interval.connectionsOpen,
      counters: interval.counters,
      histograms: interval.histograms,
      client: { cpuPct: clientCpuPct, rssBytes: client.rssBytes },
      server: server ? { cpuPct: serverCpuPct, rssBytes: server.rssBytes } : undefined,
      saturationCauses: causes,
      stepDurationS: (endAt - startAt) / 1000,
    };
    output.interval?.(row);
  };

  const collector = new StepCollector(workers, startAt, emitRow);
  const slicesRunning = runSlices(slices, (snapshot) => collector.add(snapshot));
  const onAbort = (): void => slicesRunning.stop();
  options.signal.addEventListener('abort', onAbort, { once: true });

  // CPU over the measured part only: sampled when the warm-up ends and when the step ends.
  let measuredClientFrom: ProcessSample | undefined;
  let measuredServerFrom: ProcessSample | undefined;
  let measuredClientTo: ProcessSample | undefined;
  let measuredServerTo: ProcessSample | undefined;
  const sampleMeasured = (async () => {
    await sleepUntil(measureFrom);
    measuredClientFrom = sampleSelf();
    measuredServerFrom = targetPid ? sampleProcess(targetPid) : undefined;
    await sleepUntil(endAt);
    measuredClientTo = sampleSelf();
    measuredServerTo = targetPid ? sampleProcess(targetPid) : undefined;
  })();
  const lateRows = setInterval(() => collector.flushOlderThan(now() - 2 * step.interval), 100);

  let failures: Error[];
  try {
    failures = await slicesRunning.finished;
    // Snapshots travel on their own ports: give the last ones a moment to land.
    for (let waited = 0; collector.finalsReceived < workers && waited < 1000; waited += 20) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    clearInterval(lateRows);
    collector.flushAll();
  } finally {
    clearInterval(lateRows);
    options.signal.removeEventListener('abort', onAbort);
    await slicesRunning.destroy();
  }
  const interrupted = options.signal.aborted;
  if (!interrupted) await sampleMeasured;
  const endedAtMs = Math.min(now(), endAt);
  const result: StepResult = {
    step,
    target,
    builtInTarget: targetProcess !== undefined,
    targetPid,
    startedAt: new Date(startAt),
    endedAt: new Date(endedAtMs),
    measuredMs: Math.max(0, endedAtMs - measureFrom),
    totals: collector.totals,
    warmupTotals: collector.warmupTotals,
    histograms: collector.histograms,
    connectionsPeak: collector.connectionsPeak,
    client: { cpuPct: cpuPercent(measuredClientFrom, measuredClientTo ?? sampleSelf()), rssPeakBytes: clientRssPeak },
    server: targetPid
      ? {
          cpuPct: cpuPercent(measuredServerFrom, measuredServerTo ?? sampleProcess(targetPid)),
          rssPeakBytes: serverRssPeak,
        }
      : undefined,
    saturationCauses: [...stepCauses],
    targetStats: undefined,
    interrupted,
  };
  if (failures.length > 0) {
    throw new StepBrokenError(result, `a worker thread crashed: ${failures[0]!.message}`);
  }
  return result;
}

/** A worker died mid-step; carries what was measured until then so it can still be written. */
export class StepBrokenError extends RunBrokenError {
  constructor(
    readonly partial: StepResult,
    message: string,
  ) {
    super(message);
  }
}
