// Runs one step: start the built-in target if there is no external one, split the
// connections over generator processes and worker threads, merge their snapshots into
// timeseries rows as they come, sample CPU and memory of both sides, and return the
// step's measured result.
import { RunBrokenError } from '../errors.js';
import { cpuPercent, ProcessGroup, type ProcessSample } from '../metrics/process-sampler.js';
import type { IntervalRow, Output, StepResult } from '../results/run-result.js';
import { connectionWorkloads, type StepScenario } from '../scenario/types.js';
import type { TargetStats } from '../results/target-stats.js';
import { answeredIn } from '../results/default-verdict.js';
import { now, sleepUntil } from '../metrics/clock.js';
import { totalStageDuration } from '../workloads/arrival-schedule.js';
import { StepCollector, type IntervalAggregate } from './collector.js';
import { describePlan, planStep } from './plan.js';
import { chooseWorkers, targetPlacement } from './workers.js';
import type { Shard } from '../results/shard.js';
import { runGenerators } from './processes.js';
import { saturationCauses } from './saturation.js';
import { connectionCosts, sampleCosts, type CostSample } from './step-costs.js';
import { startTargets, type StepTargets } from './targets.js';
import { serverFigures, type ServerFigures } from './server-figures.js';
import { deliveryClockNote } from '../scenario/delivery-clock.js';
import { StopBudget } from './stop-budget.js';
import { stepPlan } from '../protocols/index.js';

/** Between the start request and the first connection: time for it to reach every worker. */
const startDelayMs = 100;
/** How late a shard may be for its --start-at and still keep the planned time. */
const lateStartToleranceMs = 5000;
/** After a signal, the built-in target is given this long at least to report its final counts before it is killed. */
const targetStopFloorMs = 200;
/** Workers that are not ready by then (a machine under heavy load) start late rather than never. */
const readyTimeoutMs = 60_000;

export interface StepOptions {
  output: Output;
  /** pid of a local external target to sample (e.g. nginx), when the user names one. */
  targetPid: number | undefined;
  /** Bearer token for targetMetrics.url (what `sockcap agent --token` asks for). */
  targetMetricsToken?: string | undefined;
  signal: AbortSignal;
  /** A second signal: every wait of the finish ends at once (the files are still written). */
  hurry?: AbortSignal;
  shard: Shard;
  /** Epoch ms this step should start at (shards on several machines line up on it). */
  startAt?: number;
  /** Told where the step is (warm-up, measuring, closing), so an interruption can say it. */
  onPhase?: (phase: string) => void;
}

/** With stages, the stages are the whole profile and set the step's length. */
export function stepDuration(step: StepScenario): number {
  return step.stages.length > 0 ? totalStageDuration(step.stages) : step.duration;
}

/** The step's result; undefined when a signal came before it began (nothing was measured). */
export async function runStep(step: StepScenario, options: StepOptions): Promise<StepResult | undefined> {
  const budget = new StopBudget(options.signal, options.hurry);
  try {
    return await runStepWithin(step, options, budget);
  } finally {
    budget.dispose();
  }
}

async function runStepWithin(step: StepScenario, options: StepOptions, budget: StopBudget): Promise<StepResult | undefined> {
  const starting = startTargets(step, options.targetPid);
  if (!(await budget.wait(starting, Number.POSITIVE_INFINITY))) {
    // A signal while the built-in target starts, and it did not come up within the budget:
    // the step never began. Once up, the target is stopped at once.
    void starting.then(
      (started) => started.stop(() => Promise.resolve(false)),
      () => undefined,
    );
    return undefined;
  }
  const targets = await starting;
  let result: StepResult | undefined;
  let figures: ServerFigures | undefined;
  try {
    if (options.signal.aborted) return undefined;
    figures = await serverFigures(step, targets, options.targetMetricsToken, (message) => options.output.warning?.(message));
    result = await drive(step, targets, figures, options, budget);
    return result;
  } catch (error) {
    if (error instanceof StepBrokenError) result = error.partial;
    throw error;
  } finally {
    figures?.sampler?.stop();
    // Stopping closes every socket first, so these are the target's complete counts. After a
    // signal the target gets what is left of the budget (and a moment at least) to say them.
    const stats = await targets.stop((exit, usualMs) => budget.wait(exit, usualMs, targetStopFloorMs));
    if (result && stats) result.targetStats = stats;
  }
}

async function drive(
  step: StepScenario,
  targets: StepTargets,
  figures: ServerFigures,
  options: StepOptions,
  budget: StopBudget,
): Promise<StepResult | undefined> {
  const { output } = options;
  const planned = now();
  const plan = planStep(
    step,
    targets.urls,
    targets.trustedCa,
    options.shard,
    {
      startAt: planned,
      measureFrom: planned + step.warmup,
      endAt: planned + step.warmup + stepDuration(step),
    },
    chooseWorkers(step, targetPlacement(step, options.targetPid, targets.urls.length)),
  );
  const sliceCount = plan.processes.reduce((sum, slices) => sum + slices.length, 0);
  const server = figures.sampler;
  const serverSource = server?.describe();
  const planText = describePlan(step, plan, targets.urls.length, options.shard);
  // Publish times stamped on the target's host are moved onto this clock (not needed when both are one machine's).
  const targetClock = deliveryClockNote(step).sharedClock ? undefined : figures.targetClock;
  for (const slice of plan.processes.flat()) slice.targetClockOffsetMs = targetClock?.offsetMs ?? 0;
  output.stepStarted?.(step, targets.builtIn || !serverSource ? planText : `${planText}; server figures from ${serverSource}`, targetClock);

  const stepCauses = new Set<string>();
  let clientRssPeak = 0;
  let serverRssPeak: number | undefined;
  let connectRatePeak = 0;
  let collector: StepCollector | undefined;
  const ready = new Set<number>();
  let allReady: (() => void) | undefined;
  const everyoneReady = new Promise<void>((resolve) => (allReady = resolve));
  const generators = runGenerators(plan.processes, (message) => {
    if (message.type === 'snapshot') collector?.add(message);
    else if (ready.add(message.workerIndex).size === sliceCount) allReady?.();
  });
  const clientGroup = new ProcessGroup(generators.pids, true);
  const onAbort = (): void => generators.stop();
  options.signal.addEventListener('abort', onAbort, { once: true });
  // A signal while the target started comes before this listener: stop at once all the same.
  if (options.signal.aborted) onAbort();
  // A crashed thread or generator process, or a built-in target that died, ends the step at
  // once: what follows would measure a different setup. The step is then broken.
  let brokenBy: string | undefined;
  const breakStep = (reason: string): void => {
    if (brokenBy !== undefined) return;
    brokenBy = reason;
    generators.stop();
  };
  // Workers that a signal's budget ran out on are ended here: their ending is no crash.
  let endingWorkers = false;
  void generators.failed.then((error) => endingWorkers || breakStep(`a generator crashed: ${error.message}`));
  void targets.died.then((error) => breakStep(error.message));

  // Workers load, build their drivers and report ready; only then is the memory baseline
  // taken and the clock started, so a slow thread or process start costs no measured time.
  // A signal, a crash or a dead target while they get ready need not wait for the rest.
  let onReadyAbort: (() => void) | undefined;
  const aborted = new Promise<void>((resolve) => {
    onReadyAbort = () => resolve();
    if (options.signal.aborted) resolve();
    else options.signal.addEventListener('abort', onReadyAbort, { once: true });
  });
  // The give-up timer is cleared once the race is decided: a pending one kept an API user's process alive for a minute after the run.
  let readyTimer: NodeJS.Timeout | undefined;
  const readyTimeout = new Promise<void>((resolve) => (readyTimer = setTimeout(resolve, readyTimeoutMs)));
  await Promise.race([everyoneReady, generators.finished, generators.failed, targets.died, aborted, readyTimeout]);
  clearTimeout(readyTimer);
  if (onReadyAbort) options.signal.removeEventListener('abort', onReadyAbort);
  if (options.signal.aborted && brokenBy === undefined) {
    // Stopped before the step began: nothing was measured, and waiting for the workers to
    // finish starting would only delay the files. The threads and processes are ended.
    options.signal.removeEventListener('abort', onAbort);
    await generators.destroy();
    return undefined;
  }
  const baseline: CostSample = await sampleCosts(clientGroup, server);
  // A --start-at time is kept when this shard is ready a little late: its arrivals keep their
  // global intended times, and the lateness shows as latency and schedule lag. Much later
  // (a pod scheduled late), catching up would be a burst of overdue arrivals: it starts now,
  // and run.json shows when it meant to start and when it did.
  const soonest = now() + startDelayMs;
  const startAt = options.startAt !== undefined && options.startAt > soonest - lateStartToleranceMs ? options.startAt : soonest;
  const measureFrom = startAt + step.warmup;
  const endAt = measureFrom + stepDuration(step);
  let lastClient = clientGroup.sample();
  let lastServer = baseline.server;

  const emitRow = (interval: IntervalAggregate): void => {
    const client = clientGroup.sample();
    const clientCpuPct = cpuPercent(lastClient, client);
    lastClient = client;
    // A reading already used (no scrape since, or the latest one failed) leaves this row's server cells empty.
    const reading = server?.sample();
    const fresh = reading !== undefined && (lastServer === undefined || reading.at > lastServer.at);
    const serverRow = fresh && lastServer ? { cpuPct: cpuPercent(lastServer, reading), rssBytes: reading.rssBytes, openFds: reading.openFds } : undefined;
    if (fresh) lastServer = reading;
    const causes = saturationCauses(interval.histograms, interval.counters, clientCpuPct);
    const intervalS = (interval.endedAt - interval.startedAt) / 1000;
    if (!interval.warmup) {
      clientRssPeak = Math.max(clientRssPeak, client?.rssBytes ?? 0);
      if (serverRow) serverRssPeak = Math.max(serverRssPeak ?? 0, serverRow.rssBytes);
      for (const cause of causes) stepCauses.add(cause);
    }
    if (intervalS > 0) connectRatePeak = Math.max(connectRatePeak, interval.counters.connectionsOpened / intervalS);
    const row: IntervalRow = {
      step,
      phase: interval.warmup ? 'warmup' : 'measure',
      elapsedS: (interval.endedAt - startAt) / 1000,
      intervalS,
      connectionsOpen: interval.connectionsOpen,
      clientsHeld: interval.clientsHeld,
      counters: interval.counters,
      histograms: interval.histograms,
      client: { cpuPct: clientCpuPct, rssBytes: client?.rssBytes ?? 0 },
      server: serverRow,
      saturationCauses: causes,
      stepDurationS: (endAt - startAt) / 1000,
    };
    output.interval?.(row);
  };
  const stepCollector = new StepCollector(sliceCount, startAt, emitRow, (counters, held) => answeredIn(counters, step.workload, held));
  collector = stepCollector;
  generators.start({ type: 'start', startAt, measureFrom, endAt });
  options.onPhase?.(step.warmup > 0 ? 'warming up' : 'measuring');

  // CPU over the measured part; memory costs from the baseline to just before the step
  // ends, while every connection is still held.
  let held: CostSample | undefined;
  let connectionsHeld = 0;
  let clientsHeld: number | undefined;
  let measuredFrom: { client: ProcessSample | undefined; server: ProcessSample | undefined } | undefined;
  let measuredTo: typeof measuredFrom;
  const timers: NodeJS.Timeout[] = [];
  // Readings that wait for a scrape finish before the step's result is made.
  const readings: Promise<void>[] = [];
  const at = (when: number, action: () => void | Promise<void>): void => {
    timers.push(setTimeout(() => readings.push(Promise.resolve(action())), Math.max(0, when - now())));
  };
  const sampleBoth = async (): Promise<{ client: ProcessSample | undefined; server: ProcessSample | undefined }> => {
    const client = clientGroup.sample();
    await server?.refresh();
    return { client, server: server?.sample() };
  };
  at(measureFrom, async () => {
    options.onPhase?.('measuring');
    measuredFrom = await sampleBoth();
  });
  at(endAt, () => options.onPhase?.('closing its connections'));
  // The target's own counts at both ends of the measured part (idle sockets, rejections).
  const targetReadings: Promise<{ stats: TargetStats | undefined; at: number }>[] = [];
  const readTarget = (): void => void targetReadings.push(targets.stats().then((stats) => ({ stats, at: now() })));
  if (targets.builtIn) {
    at(measureFrom, readTarget);
    at(endAt, readTarget);
  }
  at(endAt - Math.min(250, step.interval / 2), async () => {
    connectionsHeld = stepCollector.connectionsOpenNow;
    clientsHeld = stepCollector.clientsHeldNow;
    held = await sampleCosts(clientGroup, server);
  });
  at(endAt, async () => {
    measuredTo = await sampleBoth();
  });
  if (step.workload === 'reconnect-storm') at(measureFrom + step.reconnect.dropAt, () => targets.dropAll());
  const lateRows = setInterval(() => stepCollector.flushOlderThan(now() - 2 * step.interval), 100);

  let failures: Error[] = [];
  try {
    // Workers stopped by a signal get what is left of the budget; past it they are ended with what they sent.
    if (await budget.wait(generators.finished, Number.POSITIVE_INFINITY)) failures = await generators.finished;
    else endingWorkers = true;
    // Snapshots travel on their own channels: give the last ones a moment to land.
    const lastSnapshots = now() + budget.remaining(1000);
    while (stepCollector.finalsReceived < sliceCount && now() < lastSnapshots && budget.remaining(1) > 0) await sleepUntil(now() + 20);
    stepCollector.flushAll();
  } finally {
    clearInterval(lateRows);
    for (const timer of timers) clearTimeout(timer);
    options.signal.removeEventListener('abort', onAbort);
    await generators.destroy();
  }
  const interrupted = options.signal.aborted || brokenBy !== undefined;
  const endedAtMs = Math.min(now(), endAt);
  // Scrapes and the target's counts in flight are waited for, after a signal within its budget.
  await budget.wait(Promise.all(readings), Number.POSITIVE_INFINITY);
  if (!measuredTo) {
    const sampled = sampleBoth();
    measuredTo = (await budget.wait(sampled, Number.POSITIVE_INFINITY)) ? await sampled : { client: clientGroup.sample(), server: server?.sample() };
  }
  const counted = Promise.all(targetReadings);
  const [fromTarget, toTarget] = (await budget.wait(counted, Number.POSITIVE_INFINITY)) ? await counted : [];
  // A client that holds a varying number of sockets (Socket.IO over polling: its pending GET,
  // sometimes a POST beside it) is priced per client held, not per socket.
  const costsPerClient = stepPlan(step).socketsPerConnection > 1 && stepCollector.clientsPeak !== undefined;
  const result: StepResult = {
    step,
    target: targets.urls.join(' '),
    builtInTarget: targets.builtIn,
    targetPid: targets.pids[0],
    serverFigures: serverSource,
    targetClock: figures.targetClock,
    serverScrapes: figures.scraper
      ? { attempts: figures.scraper.attempts, failures: figures.scraper.failures, firstFailure: figures.scraper.firstFailure }
      : undefined,
    startedAt: new Date(startAt),
    endedAt: new Date(endedAtMs),
    measuredMs: Math.max(0, endedAtMs - measureFrom),
    totals: stepCollector.totals,
    warmupTotals: stepCollector.warmupTotals,
    histograms: stepCollector.histograms,
    connectionsPeak: stepCollector.connectionsPeak,
    unansweredTail: stepCollector.unansweredTail,
    clientsPeak: stepCollector.clientsPeak,
    costsPerClient,
    client: { cpuPct: cpuPercent(measuredFrom?.client, measuredTo.client), rssPeakBytes: clientRssPeak },
    // Not measured (no reading at either end, no interval with one) is empty, not 0.
    server:
      measuredFrom?.server && measuredTo.server && serverRssPeak !== undefined
        ? { cpuPct: cpuPercent(measuredFrom.server, measuredTo.server), rssPeakBytes: serverRssPeak }
        : undefined,
    saturationCauses: [...stepCauses],
    targetStats: undefined,
    targetMeasured:
      fromTarget?.stats && toTarget?.stats ? { from: fromTarget.stats, to: toTarget.stats, seconds: (toTarget.at - fromTarget.at) / 1000 } : undefined,
    interrupted,
    // A broken step's memory and CPU describe a setup that fell apart: no cost is read from them.
    // Only a workload that holds or cycles connections prices one: a closed or arrival-rate
    // step's memory and CPU grow with its requests, and dividing them by its connections means nothing.
    costs:
      brokenBy === undefined && connectionWorkloads.includes(step.workload)
        ? costsPerClient
          ? connectionCosts(baseline, held, clientsHeld ?? 0, stepCollector.totals.clientsOpened)
          : connectionCosts(baseline, held, connectionsHeld, stepCollector.totals.connectionsOpened)
        : connectionCosts(undefined, undefined, 0, 0),
    connectRatePeak,
    generatorProcesses: plan.processes.length,
    targetProcesses: targets.urls.length,
    shard: options.shard,
  };
  if (failures.length > 0) brokenBy ??= `a generator crashed: ${failures[0]!.message}`;
  if (brokenBy !== undefined) throw new StepBrokenError(result, brokenBy);
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
