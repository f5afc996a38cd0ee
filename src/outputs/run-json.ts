// run.json: everything needed to know what was run, where, and how it ended: the resolved
// scenario, versions, machine limits, the built-in target's own counts, and the verdict.
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, release, totalmem, platform, arch, hostname } from 'node:os';
import { join } from 'node:path';
import { openFileLimit } from '../metrics/process-sampler.js';
import { version } from '../version.js';
import type { Output, RunInfo, RunResult, StepResult } from './output.js';

function portRange(): string | undefined {
  try {
    return readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).join('-');
  } catch {
    return undefined;
  }
}

function stepRecord(result: StepResult): Record<string, unknown> {
  return {
    index: result.step.stepIndex,
    label: result.step.stepLabel,
    target: result.target,
    builtInTarget: result.builtInTarget,
    targetPid: result.targetPid,
    startedAt: result.startedAt.toISOString(),
    endedAt: result.endedAt.toISOString(),
    measuredSeconds: result.measuredMs / 1000,
    interrupted: result.interrupted,
    saturationCauses: result.saturationCauses,
    counters: result.totals,
    warmupCounters: result.warmupTotals,
    targetCounted: result.targetStats,
    scenario: result.step,
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
      startedAt: run.startedAt.toISOString(),
      endedAt: finished?.endedAt.toISOString(),
      source: run.scenario.source,
      warnings: run.warnings,
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
      steps: this.steps.map(stepRecord),
    };
    writeFileSync(join(run.dir, 'run.json'), `${JSON.stringify(document, null, 2)}\n`);
  }
}
