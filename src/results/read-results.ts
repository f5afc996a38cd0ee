// Reads a results folder back into the RunResult a run produced: run.json for the
// scenario, counters, times and process figures, histograms/ for the exact distributions.
// `sockcap report` and `sockcap compare` work from this, so an old run can be re-read by a
// newer sockcap and two runs compare on merged histograms, never on averaged percentiles.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError, errorMessage } from '../errors.js';
import { emptyCounters } from '../metrics/counters.js';
import type { Histogram, MetricName } from '../metrics/histogram.js';
import { defaults } from '../scenario/defaults.js';
import type { ResolvedScenario, Scenario, StepScenario } from '../scenario/types.js';
import type { ThresholdAbort } from './threshold-abort.js';
import type { RunResult, StepResult } from './run-result.js';
import { checkRunDocument, type RunDocument, type StepRecord } from './run-document.js';
import { readStepHistograms } from './stored-histograms.js';
import { StoredFileError } from './stored-value.js';

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
    throw new StoredFileError(file, 'is missing, so this is not a results folder a run wrote', 'give the folder a run wrote, like results/20250101-120000-quickstart, or restore its run.json');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new StoredFileError(file, `cannot be read as JSON (${errorMessage(error)})`);
  }
  const document: RunDocument = checkRunDocument(file, parsed);
  const histograms = readStepHistograms(dir, document.steps);
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
    clientsPeak: record.clientsPeak,
    costsPerClient: record.costsPerClient === true,
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
