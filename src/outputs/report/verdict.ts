// The first line of report.html: did the run pass, and why not — thresholds, steps where
// nothing succeeded, the error rate, a saturated generator, an interruption — with the
// warnings and the facts a reader needs to place the numbers (target, scenario, version, machine).
import { gateOutcome, type ThresholdVerdict } from '../../results/threshold-verdict.js';
import { version } from '../../version.js';
import type { RunInfo, RunStatus, StepResult } from '../../results/run-result.js';
import { stepVerdict } from '../../results/default-verdict.js';
import type { Headline } from './page.js';

/** A run as far as it got: finished runs have a status and an end. */
export type ReportRun = RunInfo & {
  steps: readonly StepResult[];
  status?: RunStatus;
  reason?: string | undefined;
  endedAt?: Date;
  writtenBy?: string | undefined;
};

/** The machine as run.json recorded it. */
export interface Machine {
  hostname?: string;
  cpus?: number;
  memoryBytes?: number;
  kernel?: string;
  node?: string;
  platform?: string;
  arch?: string;
}

/** Errors among everything attempted, as the default verdict counts them; undefined when nothing was attempted. */
export function errorRate(result: StepResult): number | undefined {
  return stepVerdict(result).errorRate;
}

const pct = (fraction: number): string => `${Number((fraction * 100).toPrecision(3))}%`;
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

export function runHeadline(run: ReportRun, verdicts: readonly ThresholdVerdict[], machine: Machine | undefined): Headline {
  const reasons: string[] = [];
  const parts: string[] = [];
  if (run.status === 'broken') reasons.push(`the run broke: ${run.reason ?? 'no reason recorded'}`);
  if (run.status === 'interrupted') reasons.push(`the run was interrupted: ${run.reason ?? 'stopped by signal'}`);
  const planned = run.scenario.steps.length;
  const unfinished = run.steps.filter((step) => step.interrupted).map((step) => step.step.stepLabel);
  if (run.status && run.steps.length < planned) reasons.push(`${run.steps.length} of ${plural(planned, 'step')} ran`);
  if (unfinished.length > 0) reasons.push(`step ${unfinished.join(', ')} did not run to its end`);

  // The default verdict's own words (verdict.requireSuccess, verdict.maxErrorRate), so the page and run.json agree.
  const stepVerdicts = run.steps.map(stepVerdict);
  for (const verdict of stepVerdicts) for (const text of verdict.reasons) reasons.push(`step ${verdict.step}: ${text}`);
  const empty = stepVerdicts.filter((verdict) => verdict.succeeded === 0);
  parts.push(empty.length === 0 ? `${plural(run.steps.length, 'step')} with successful operations` : `${plural(empty.length, 'step')} where nothing succeeded`);

  const outcome = gateOutcome(verdicts);
  const expressions = new Set(verdicts.map((verdict) => verdict.expression)).size;
  for (const failed of outcome.failed) reasons.push(`threshold ${failed.expression} failed in step ${failed.step}: ${failed.detail}`);
  for (const expression of outcome.unmeasured) reasons.push(`threshold ${expression}: no step measured it`);
  if (expressions === 0) parts.push('no thresholds');
  else if (outcome.passed) parts.push(`${plural(expressions, 'threshold')} met`);
  else parts.push(`${plural(outcome.failed.length + outcome.unmeasured.length, 'threshold')} failed of ${verdicts.length}`);

  const rates = run.steps.flatMap((step) => {
    const rate = errorRate(step);
    return rate === undefined ? [] : [{ label: step.step.stepLabel, rate }];
  });
  const worst = rates.sort((a, b) => b.rate - a.rate)[0];
  parts.push(
    worst === undefined
      ? 'error rate not measured'
      : `error rate ${pct(worst.rate)}${rates.length > 1 && worst.rate > 0 ? ` (worst: step ${worst.label})` : ''}`,
  );

  const saturated = run.steps.filter((step) => step.saturationCauses.length > 0).map((step) => step.step.stepLabel);
  if (saturated.length === 0) parts.push('generator not saturated');
  else parts.push(saturated.length > 2 ? `generator saturated in ${saturated.length} steps` : `generator saturated in step ${saturated.join(', ')}`);
  if (run.status === 'interrupted' || run.status === 'broken') parts.push(run.status);
  // A ladder stopped by --until-slo found its answer: said, not failed.
  else if (run.status === 'completed' && run.reason) parts.push(`stopped early: ${run.reason}`);

  const state: Headline['state'] = !run.status ? 'running' : reasons.length > 0 ? 'failed' : saturated.length > 0 ? 'warned' : 'passed';
  const word = { running: `RUNNING (${run.steps.length} of ${planned} steps done)`, failed: 'FAILED', warned: 'PASSED WITH WARNINGS', passed: 'PASSED' }[state];
  // Saturation is in the run's warnings once it finished; while it runs, the steps say it.
  const warnings = [...run.warnings];
  for (const label of saturated)
    if (!warnings.some((warning) => warning.includes(`saturated in step ${label}`))) warnings.push(`generator saturated in step ${label}`);
  return {
    title: `sockcap ${run.scenario.base.name} · ${run.runId}`,
    state,
    verdict: `${word}: ${parts.join('; ')}`,
    reasons,
    warnings,
    facts: facts(run, machine),
  };
}

function facts(run: ReportRun, machine: Machine | undefined): [string, string][] {
  // The built-in target starts anew for each step, on a new port: one mention, not one per step.
  const builtIn = [...new Set(run.steps.filter((step) => step.builtInTarget).map((step) => step.target))];
  const external = [...new Set(run.steps.filter((step) => !step.builtInTarget).map((step) => step.target))];
  const more = builtIn.length > 1 ? ` and ${builtIn.length - 1} more, one per step` : '';
  const targets = [...(builtIn.length > 0 ? [`built-in target (${builtIn[0]}${more})`] : []), ...external];
  const plannedTargets = [...new Set(run.scenario.steps.map((step) => step.target ?? 'built-in target'))];
  const source = run.scenario.source;
  const seconds = run.endedAt ? (run.endedAt.getTime() - run.startedAt.getTime()) / 1000 : undefined;
  const list: [string, string][] = [
    ['target', (targets.length > 0 ? targets : plannedTargets).join(', ')],
    // The built-in quickstart's source is written in parentheses already.
    ['scenario', `${run.scenario.base.name} — ${source.startsWith('(') ? source.slice(1, -1) : source}`],
    [
      'steps',
      `${run.steps.length} of ${run.scenario.steps.length}: ${run.scenario.steps.map((step) => `${step.stepLabel} (${step.protocol} ${step.workload}, ${step.connections} connections)`).join(', ')}`,
    ],
    ['started', `${run.startedAt.toISOString()}${seconds === undefined ? '' : `, ran ${seconds.toFixed(1)} s`}`],
    ['sockcap', run.writtenBy && run.writtenBy !== version ? `${run.writtenBy} (this report by ${version})` : version],
  ];
  if (machine) {
    const memory = machine.memoryBytes ? `, ${(machine.memoryBytes / 1073741824).toFixed(1)} GiB` : '';
    list.push([
      'machine',
      `${machine.hostname ?? '?'}: ${machine.cpus ?? '?'} cores${memory}, ${machine.platform ?? ''} ${machine.kernel ?? ''} ${machine.arch ?? ''}, node ${machine.node ?? '?'}`,
    ]);
  }
  list.push(['results', run.dir]);
  return list;
}
