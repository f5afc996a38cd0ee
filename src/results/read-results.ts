// Reads a results folder back into the RunResult a run produced: run.json for the
// scenario, counters, times and process figures, histograms/ for the exact distributions.
// `sockcap report` and `sockcap compare` work from this, so an old run can be re-read by a
// newer sockcap and two runs compare on merged histograms, never on averaged percentiles.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError, errorMessage } from '../errors.js';
import { emptyCounters, type Counters } from '../metrics/counters.js';
import { decodeHistogram, isMetricName, type Histogram, type MetricName } from '../metrics/histogram.js';
import { defaults } from '../scenario/defaults.js';
import type { ResolvedScenario, Scenario, StepScenario } from '../scenario/types.js';
import type { TargetStats } from './target-stats.js';
import type { Shard } from './shard.js';
import type { ConnectionCosts } from './connection-costs.js';
import type { ThresholdAbort } from './threshold-abort.js';
import type { ProcessFigures, RunResult, RunStatus, RunVerdict, StepResult } from './run-result.js';

/** A step as run.json stores it (older runs may lack the later fields). */
interface StepRecord {
  index: number;
  label: string;
  target: string;
  builtInTarget: boolean;
  targetPid?: number;
  startedAt: string;
  endedAt: string;
  measuredSeconds: number;
  measuredMs?: number;
  interrupted: boolean;
  saturationCauses?: string[];
  counters: Counters;
  warmupCounters?: Counters;
  targetCounted?: TargetStats;
  targetMeasured?: { from: TargetStats; to: TargetStats; seconds: number };
  connectionsPeak?: number;
  client?: ProcessFigures;
  server?: ProcessFigures | null;
  /** null: not measured. */
  costs?: { [K in keyof ConnectionCosts]?: number | null };
  connectRatePeak?: number;
  generatorProcesses?: number;
  targetProcesses?: number;
  shard?: Shard;
  scenario: Partial<StepScenario>;
}

interface RunDocument {
  runId: string;
  status: RunStatus | 'running';
  reason?: string;
  startedAt: string;
  endedAt?: string;
  source?: string;
  warnings?: string[];
  scenario: Partial<Scenario>;
  raw?: Record<string, unknown>;
  steps: StepRecord[];
  gate?: { abortedBy?: ThresholdAbort };
  /** A step's errorRate is null when nothing was attempted. */
  verdict?: Omit<RunVerdict, 'steps'> & { steps: (Omit<RunVerdict['steps'][number], 'errorRate'> & { errorRate?: number | null })[] };
  tool?: { version?: string };
}

export interface StoredRun extends RunResult {
  /** The threshold that stopped the run, if abortOnFail did. */
  abortedBy: ThresholdAbort | undefined;
  /** sockcap version that wrote the run. */
  writtenBy: string | undefined;
}

export function readResults(dir: string): StoredRun {
  const file = join(dir, 'run.json');
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UsageError(`${dir}: no such results folder (give the folder a run wrote, like results/20250101-120000-quickstart)`);
  }
  if (!existsSync(file)) {
    throw new UsageError(`${dir}: not a sockcap results folder (it has no run.json; give the folder a run wrote, like results/20250101-120000-quickstart)`);
  }
  let document: RunDocument;
  try {
    document = JSON.parse(readFileSync(file, 'utf8')) as RunDocument;
  } catch (error) {
    throw new UsageError(`${file}: cannot be read as JSON (${errorMessage(error)})`);
  }
  if (!Array.isArray(document.steps) || typeof document.runId !== 'string') {
    throw new UsageError(`${file}: not a sockcap run.json (no runId or steps)`);
  }
  const histograms = readHistograms(join(dir, 'histograms'));
  const base: Scenario = { ...defaults, ...document.scenario };
  const steps = document.steps.map((record) => stepResult(record, base, histograms.get(record.index) ?? new Map<MetricName, Histogram>()));
  const scenario: ResolvedScenario = {
    source: document.source ?? '(unknown)',
    base,
    steps: steps.map((step) => step.step),
    raw: document.raw ?? {},
  };
  const startedAt = new Date(document.startedAt);
  const status = document.status === 'running' ? 'broken' : document.status;
  return {
    runId: document.runId,
    dir,
    scenario,
    startedAt,
    warnings: document.warnings ?? [],
    endedAt: new Date(document.endedAt ?? steps.at(-1)?.endedAt ?? startedAt),
    // A run whose process died before it finished never wrote its end.
    status,
    reason: document.status === 'running' ? 'the run did not finish writing its results' : document.reason,
    steps,
    // Runs written before the verdict existed: only how they ended is known (`sockcap report` judges them again).
    verdict: document.verdict
      ? { ...document.verdict, steps: document.verdict.steps.map((step) => ({ ...step, errorRate: step.errorRate ?? undefined })) }
      : { passed: status === 'completed', reasons: status === 'completed' ? [] : [`run ${status}`], steps: [] },
    abortedBy: document.gate?.abortedBy,
    writtenBy: document.tool?.version,
  };
}

function stepResult(record: StepRecord, base: Scenario, histograms: Map<MetricName, Histogram>): StepResult {
  const step: StepScenario = {
    ...base,
    ...record.scenario,
    thresholds: record.scenario.thresholds ?? [],
    stepIndex: record.index,
    stepLabel: record.label,
  };
  const measuredMs = record.measuredMs ?? record.measuredSeconds * 1000;
  return {
    step,
    target: record.target,
    builtInTarget: record.builtInTarget,
    targetPid: record.targetPid,
    startedAt: new Date(record.startedAt),
    endedAt: new Date(record.endedAt),
    measuredMs,
    totals: { ...emptyCounters(), ...record.counters },
    warmupTotals: { ...emptyCounters(), ...record.warmupCounters },
    histograms,
    connectionsPeak: record.connectionsPeak ?? 0,
    client: record.client ?? { cpuPct: 0, rssPeakBytes: 0 },
    server: record.server ?? undefined,
    saturationCauses: record.saturationCauses ?? [],
    targetStats: record.targetCounted,
    targetMeasured: record.targetMeasured,
    interrupted: record.interrupted,
    costs: {
      clientKibPerConn: record.costs?.clientKibPerConn ?? undefined,
      serverKibPerConn: record.costs?.serverKibPerConn ?? undefined,
      kernelKibPerConn: record.costs?.kernelKibPerConn ?? undefined,
      serverCpuMsPerConn: record.costs?.serverCpuMsPerConn ?? undefined,
    },
    connectRatePeak: record.connectRatePeak ?? 0,
    generatorProcesses: record.generatorProcesses ?? 1,
    targetProcesses: record.targetProcesses ?? (record.builtInTarget ? 1 : 0),
    shard: record.shard ?? { index: 0, count: 1 },
  };
}

/** step index → metric → histogram, from histograms/step-<index>-<metric>.hdr. */
function readHistograms(folder: string): Map<number, Map<MetricName, Histogram>> {
  const byStep = new Map<number, Map<MetricName, Histogram>>();
  if (!existsSync(folder)) return byStep;
  for (const name of readdirSync(folder).sort()) {
    const match = /^step-(\d+)-(.+)\.hdr$/.exec(name);
    // A metric this version does not know (written by a newer sockcap) is left out, not guessed at.
    if (!match || !isMetricName(match[2]!)) continue;
    const index = Number(match[1]);
    let metrics = byStep.get(index);
    if (!metrics) byStep.set(index, (metrics = new Map<MetricName, Histogram>()));
    try {
      metrics.set(match[2], decodeHistogram(readFileSync(join(folder, name), 'utf8').trim()));
    } catch (error) {
      throw new UsageError(`${join(folder, name)}: not an encoded HDR histogram (${errorMessage(error)})`);
    }
  }
  return byStep;
}
