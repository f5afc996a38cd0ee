// run.json: everything needed to know what was run, where, and how it ended: the resolved
// scenario, versions, machine limits, the built-in target's own counts, and the verdict.
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, release, totalmem, platform, arch, hostname } from 'node:os';
import { join } from 'node:path';
import { openFileLimit } from '../metrics/process-sampler.js';
import { Redactor } from '../scenario/secrets.js';
import { skipsVerification } from '../scenario/tls.js';
import { version } from '../version.js';
import { deliveryClockNote } from '../scenario/delivery-clock.js';
import { primaryMetricOf, receivesEvents } from '../protocols/index.js';
import type { Output, RunInfo, RunResult, RunVerdict, StepResult } from '../results/run-result.js';
import { summaryRow } from '../results/summary-row.js';

function portRange(): string | undefined {
  try {
    return readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).join('-');
  } catch {
    return undefined;
  }
}

/** JSON says `null` for a figure that was not measured (an empty CSV cell), where leaving the key out would read as "not reported". */
function nullIfUnmeasured<T extends Record<string, unknown>>(figures: T): { [K in keyof T]: Exclude<T[K], undefined | ''> | null } {
  return Object.fromEntries(Object.entries(figures).map(([key, value]) => [key, value === undefined || value === '' ? null : value])) as {
    [K in keyof T]: Exclude<T[K], undefined | ''> | null;
  };
}

function verdictRecord(verdict: RunVerdict | undefined): unknown {
  return verdict && { ...verdict, steps: verdict.steps.map((step) => ({ ...step, errorRate: step.errorRate ?? null })) };
}

function stepRecord(runId: string, scenarioName: string, result: StepResult): Record<string, unknown> {
  return {
    index: result.step.stepIndex,
    label: result.step.stepLabel,
    target: result.target,
    builtInTarget: result.builtInTarget,
    targetPid: result.targetPid,
    serverFigures: result.serverFigures,
    serverScrapes: result.serverScrapes,
    // The target host's clock minus this one's (ms) and the bound of its error, measured to sockcap agent.
    targetClock: result.targetClock,
    startedAt: result.startedAt.toISOString(),
    endedAt: result.endedAt.toISOString(),
    measuredSeconds: result.measuredMs / 1000,
    interrupted: result.interrupted,
    saturationCauses: result.saturationCauses,
    counters: result.totals,
    warmupCounters: result.warmupTotals,
    // The samples of each histograms/ file: readers refuse a file that is missing or holds other counts.
    histogramCounts: Object.fromEntries(
      [...result.histograms].filter(([, histogram]) => histogram.totalCount > 0).map(([metric, histogram]) => [metric, histogram.totalCount]),
    ),
    targetCounted: result.targetStats,
    targetMeasured: result.targetMeasured,
    // The rest of the step's result, so `sockcap report` rebuilds its summary row exactly.
    measuredMs: result.measuredMs,
    connectionsPeak: result.connectionsPeak,
    clientsPeak: result.clientsPeak,
    costsPerClient: result.costsPerClient,
    client: result.client,
    server: result.server ?? null,
    costs: nullIfUnmeasured({ ...result.costs }),
    connectRatePeak: result.connectRatePeak,
    generatorProcesses: result.generatorProcesses,
    targetProcesses: result.targetProcesses,
    shard: result.shard,
    // Receive-driven steps only: whether delivery latency was measured, and against which clocks.
    delivery: receivesEvents(result.step) ? deliveryClockNote(result.step, result.targetClock) : undefined,
    scenario: result.step,
    // The step's summary.csv row, figures that were not measured as null: what a script reads without parsing CSV.
    summary: nullIfUnmeasured(summaryRow(runId, scenarioName, result, primaryMetricOf(result.step))),
  };
}

export class RunJson implements Output {
  private run: RunInfo | undefined;
  private readonly steps: StepResult[] = [];

  runStarted(run: RunInfo): void {
    this.run = run;
    this.write(undefined);
  }

  stepFinished(result: StepResult): void {
    this.steps.push(result);
    this.write(undefined);
  }

  runFinished(run: RunResult): void {
    this.write(run);
  }

  private write(finished: RunResult | undefined): void {
    const run = this.run;
    if (!run) return;
    const document = {
      runId: run.runId,
      tool: { name: 'sockcap', version },
      status: finished?.status ?? 'running',
      reason: finished?.reason,
      // passed false: exit code 1 (or 3 for a broken run), with every reason; absent while running.
      verdict: verdictRecord(finished?.verdict),
      startedAt: run.startedAt.toISOString(),
      endedAt: finished?.endedAt.toISOString(),
      source: run.scenario.source,
      // The finished run's warnings add what happened during it (a saturated generator).
      warnings: finished?.warnings ?? run.warnings,
      // Said apart from the warnings so a CI gate can refuse results measured this way.
      tlsInsecure: skipsVerification(run.scenario.steps),
      scenario: run.scenario.base,
      raw: run.scenario.raw,
      environment: {
        node: process.version,
        platform: platform(),
        arch: arch(),
        kernel: release(),
        hostname: hostname(),
        cpus: availableParallelism(),
        memoryBytes: totalmem(),
        openFileLimit: openFileLimit(),
        ephemeralPortRange: portRange(),
        argv: process.argv.slice(2),
      },
      steps: this.steps.map((step) => stepRecord(run.runId, run.scenario.base.name, step)),
      ...run.annotations,
    };
    // Header credentials and URL passwords stay in the process (scenario/secrets.ts).
    const redacted = new Redactor(run.scenario).deep(document);
    writeFileSync(join(run.dir, 'run.json'), `${JSON.stringify(redacted, null, 2)}\n`);
  }
}

/** Adds the gate's verdicts (and the threshold that stopped the run, if one did) to a finished run.json. */
export function recordGate(dir: string, gate: { thresholds: unknown[]; abortedBy: unknown }): void {
  const file = join(dir, 'run.json');
  const document = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  document.gate = gate;
  writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`);
}
