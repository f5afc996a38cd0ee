// run.json as the readers take it: every field they use checked for its kind, so an edited or
// damaged file is refused naming the field instead of turning into wrong figures.
import type { Counters } from '../metrics/counters.js';
import type { Scenario, StepScenario } from '../scenario/types.js';
import type { ConnectionCosts } from './connection-costs.js';
import type { ProcessFigures, RunStatus, RunVerdict } from './run-result.js';
import type { Shard } from './shard.js';
import { FieldReader } from './stored-value.js';
import type { TargetStats } from './target-stats.js';
import type { ThresholdAbort } from './threshold-abort.js';

/** A step as run.json stores it (older runs may lack the later fields). */
export interface StepRecord {
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
  clientsPeak?: number;
  costsPerClient?: boolean;
  client?: ProcessFigures;
  server?: ProcessFigures | null;
  /** null: not measured. */
  costs?: { [K in keyof ConnectionCosts]?: number | null };
  connectRatePeak?: number;
  generatorProcesses?: number;
  targetProcesses?: number;
  shard?: Shard;
  /** Samples in each of the step's histograms/ files (absent in runs written before 0.2). */
  histogramCounts?: Record<string, number>;
  scenario: Partial<StepScenario>;
}

export interface RunDocument {
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

const statuses = ['completed', 'interrupted', 'broken', 'running'] as const;

/** Refuses a run.json whose fields are not of their kind; returns it typed. */
export function checkRunDocument(file: string, parsed: unknown): RunDocument {
  const read = new FieldReader(file);
  const document = read.object(parsed, 'the document');
  read.string(document.runId, 'runId');
  read.oneOf(document.status, 'status', statuses);
  read.optionalString(document.reason, 'reason');
  read.time(document.startedAt, 'startedAt');
  if (document.endedAt !== undefined) read.time(document.endedAt, 'endedAt');
  read.optionalString(document.source, 'source');
  if (document.warnings !== undefined) read.strings(document.warnings, 'warnings');
  read.object(document.scenario, 'scenario');
  read.optionalObject(document.raw, 'raw');
  const tool = read.optionalObject(document.tool, 'tool');
  read.optionalString(tool?.version, 'tool.version');
  const verdict = read.optionalObject(document.verdict, 'verdict');
  if (verdict) {
    read.boolean(verdict.passed, 'verdict.passed');
    read.strings(verdict.reasons, 'verdict.reasons');
    if (!Array.isArray(verdict.steps)) throw read.wrong('verdict.steps', 'a list', verdict.steps);
  }
  if (!Array.isArray(document.steps)) throw read.wrong('steps', 'a list', document.steps);
  document.steps.forEach((step, i) => checkStep(read, step, `steps[${i}]`));
  return document as unknown as RunDocument;
}

function checkStep(read: FieldReader, value: unknown, at: string): void {
  const step = read.object(value, at);
  read.count(step.index, `${at}.index`);
  read.string(step.label, `${at}.label`);
  read.string(step.target, `${at}.target`);
  read.boolean(step.builtInTarget, `${at}.builtInTarget`);
  read.optionalNumber(step.targetPid, `${at}.targetPid`);
  read.time(step.startedAt, `${at}.startedAt`);
  read.time(step.endedAt, `${at}.endedAt`);
  read.number(step.measuredSeconds, `${at}.measuredSeconds`);
  read.optionalNumber(step.measuredMs, `${at}.measuredMs`);
  read.boolean(step.interrupted, `${at}.interrupted`);
  if (step.costsPerClient !== undefined) read.boolean(step.costsPerClient, `${at}.costsPerClient`);
  if (step.saturationCauses !== undefined) read.strings(step.saturationCauses, `${at}.saturationCauses`);
  read.counters(step.counters, `${at}.counters`);
  if (step.warmupCounters !== undefined) read.counters(step.warmupCounters, `${at}.warmupCounters`);
  if (step.targetCounted !== undefined) checkNumbers(read, step.targetCounted, `${at}.targetCounted`);
  if (step.targetMeasured !== undefined) checkNumbers(read, step.targetMeasured, `${at}.targetMeasured`);
  for (const field of ['connectionsPeak', 'clientsPeak', 'connectRatePeak', 'generatorProcesses', 'targetProcesses'] as const) {
    read.optionalNumber(step[field], `${at}.${field}`);
  }
  const client = read.optionalObject(step.client, `${at}.client`);
  if (client) checkFigures(read, client, `${at}.client`);
  const server = step.server === null ? undefined : read.optionalObject(step.server, `${at}.server`);
  if (server) checkFigures(read, server, `${at}.server`);
  const costs = read.optionalObject(step.costs, `${at}.costs`);
  for (const [name, cost] of Object.entries(costs ?? {})) read.optionalNumber(cost, `${at}.costs.${name}`);
  const shard = read.optionalObject(step.shard, `${at}.shard`);
  if (shard) {
    read.count(shard.index, `${at}.shard.index`);
    read.count(shard.count, `${at}.shard.count`);
  }
  const histogramCounts = read.optionalObject(step.histogramCounts, `${at}.histogramCounts`);
  for (const [metric, count] of Object.entries(histogramCounts ?? {})) read.count(count, `${at}.histogramCounts.${metric}`);
  read.object(step.scenario, `${at}.scenario`);
}

function checkFigures(read: FieldReader, figures: Record<string, unknown>, at: string): void {
  read.optionalNumber(figures.cpuPct, `${at}.cpuPct`);
  read.optionalNumber(figures.rssPeakBytes, `${at}.rssPeakBytes`);
}

/** An object whose every leaf is a number (the built-in target's counts). */
function checkNumbers(read: FieldReader, value: unknown, at: string): void {
  for (const [name, leaf] of Object.entries(read.object(value, at))) {
    if (typeof leaf === 'object' && leaf !== null) checkNumbers(read, leaf, `${at}.${name}`);
    else read.number(leaf, `${at}.${name}`);
  }
}
