// What outputs consume: one stream of interval rows and step results, nothing about
// sockets. A new output (csv, json, console, junit) is one file implementing this.
import type { ClockOffset } from '../metrics/clock-offset.js';
import type { Counters } from '../metrics/counters.js';
import type { Histogram, MetricName } from '../metrics/histogram.js';
import type { ResolvedScenario, StepScenario } from '../scenario/types.js';
import type { ConnectionCosts } from './connection-costs.js';
import type { Shard } from './shard.js';
import type { TargetStats } from './target-stats.js';
import type { UnansweredTail } from './unanswered-tail.js';

export interface ProcessFigures {
  cpuPct: number;
  rssPeakBytes: number;
}

export interface IntervalRow {
  step: StepScenario;
  phase: 'warmup' | 'measure';
  /** Seconds from the step's start to the end of this interval. */
  elapsedS: number;
  intervalS: number;
  connectionsOpen: number;
  /** Clients connected at the protocol level at the interval's end (hold, connect, reconnect-storm); undefined: not counted. */
  clientsHeld?: number | undefined;
  counters: Counters;
  histograms: Map<MetricName, Histogram>;
  client: { cpuPct: number; rssBytes: number };
  /** Undefined when the server was not measured in this interval (no process to sample, a scrape that failed). */
  server: { cpuPct: number; rssBytes: number; openFds: number | undefined } | undefined;
  saturationCauses: string[];
  /** Where the step stands, for progress lines. */
  stepDurationS: number;
}

export interface StepResult {
  step: StepScenario;
  target: string;
  builtInTarget: boolean;
  targetPid: number | undefined;
  /** Where the server's CPU and memory were read ("pid 812 and 2 child processes (3 summed)"); undefined when nowhere. */
  serverFigures?: string | undefined;
  /** The target host's clock minus this one's, measured to its sockcap agent; undefined when not measured. */
  targetClock?: ClockOffset | undefined;
  /** Scrapes of the target's metrics endpoint, when the server's figures came from one. */
  serverScrapes?: { attempts: number; failures: number; firstFailure: string | undefined } | undefined;
  startedAt: Date;
  endedAt: Date;
  /** Measured time (after warm-up), in ms. */
  measuredMs: number;
  totals: Counters;
  warmupTotals: Counters;
  histograms: Map<MetricName, Histogram>;
  /** The most sockets open in a measured interval. */
  connectionsPeak: number;
  /** The measured intervals at the end of the step in which nothing succeeded but errors came: how long, and their errors; undefined when something succeeded in the last one. */
  unansweredTail?: UnansweredTail | undefined;
  /** The most clients connected at the protocol level in a measured interval (hold, connect, reconnect-storm); undefined: not reported. */
  clientsPeak?: number | undefined;
  /** The per-connection costs are per client held and opened, not per socket (a client holds a varying number of sockets). */
  costsPerClient?: boolean;
  client: ProcessFigures;
  server: ProcessFigures | undefined;
  saturationCauses: string[];
  /** What the built-in target counted during the step (warm-up included). */
  targetStats: TargetStats | undefined;
  /** The built-in target's counts when the measured part began and ended, and the seconds between the two readings. */
  targetMeasured?: { from: TargetStats; to: TargetStats; seconds: number } | undefined;
  interrupted: boolean;
  /** Memory and CPU per connection, from a baseline before the first connection to a sample while all are held. */
  costs: ConnectionCosts;
  /** The most new connections per second in any interval. */
  connectRatePeak: number;
  generatorProcesses: number;
  targetProcesses: number;
  /** Shard i/n this step ran as (1/1 when not sharded). */
  shard: Shard;
}

export type RunStatus = 'completed' | 'interrupted' | 'broken';

/** The default verdict of one step (src/results/default-verdict.ts). */
export interface StepVerdict {
  stepIndex: number;
  step: string;
  passed: boolean;
  /** Answered requests that were not errors, messages, and (connection workloads) connections opened. */
  succeeded: number;
  errors: number;
  /** errors / (succeeded + errors); undefined when nothing was attempted. */
  errorRate: number | undefined;
  /** Why the step failed, in the user's words; empty when it passed. */
  reasons: string[];
}

/** Whether the run passed, and every reason it did not: the default verdict, thresholds and how the run ended. */
export interface RunVerdict {
  passed: boolean;
  reasons: string[];
  steps: StepVerdict[];
}

export interface RunInfo {
  runId: string;
  dir: string;
  scenario: ResolvedScenario;
  startedAt: Date;
  /** Things the user should know before trusting the numbers (limits the plan may hit). */
  warnings: string[];
  /** The run continues an earlier one in `dir` (`sockcap sweep --resume`): files there are added to, not replaced. */
  resumed?: boolean;
  /** Facts the command that started the run records in run.json, each under its own key (`sweep`). */
  annotations?: Record<string, unknown> | undefined;
}

export interface RunResult extends RunInfo {
  endedAt: Date;
  status: RunStatus;
  /** Why the run stopped early, in the user's words. */
  reason: string | undefined;
  steps: StepResult[];
  /** Exit code 1 unless it passed (a broken or interrupted run exits 3 whatever it says). */
  verdict: RunVerdict;
}

export interface Output {
  runStarted?(run: RunInfo): void;
  /** `targetClock`: the offset measured to the target's host (sockcap agent), that delivery latency is corrected by. */
  stepStarted?(step: StepScenario, plan: string, targetClock?: ClockOffset): void;
  interval?(row: IntervalRow): void;
  stepFinished?(result: StepResult): void;
  runFinished?(run: RunResult): void;
  /** Something went wrong mid-step that the run survives (a metrics scrape that failed): said the moment it happens. */
  warning?(message: string): void;
}
