// The default verdict: checks every step gets without asking, so a run whose target refused
// everything, answered with the wrong protocol or failed most requests never passes in CI.
// A step fails when nothing succeeded (verdict.requireSuccess) or when its error rate is above
// verdict.maxErrorRate; the run's verdict adds failed thresholds and how the run ended.
import type { RunStatus, RunVerdict, StepResult, StepVerdict } from './run-result.js';
import { countHttpErrors } from './summary-row.js';
import { connectionWorkloads } from '../scenario/types.js';
import { gateOutcome, type ThresholdVerdict } from './threshold-verdict.js';
import { formatValue } from '../scenario/metric-ref.js';

const count = (n: number): string => n.toLocaleString('en-US');

/** The commonest error codes, as `ECONNREFUSED 6,964, http_503 12`. */
function topCodes(errorsByCode: Record<string, number>): string {
  const codes = Object.entries(errorsByCode)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
  const shown = codes.slice(0, 3).map(([code, n]) => `${code} ${count(n)}`);
  return codes.length > 3 ? `${shown.join(', ')}, …` : shown.join(', ');
}

export function stepVerdict(result: StepResult): StepVerdict {
  const { totals, step } = result;
  // A non-2xx answer completes a request but is an error, so it is no success.
  const answered = totals.requests - countHttpErrors(totals.errorsByCode) + totals.messages;
  // Connection workloads open their connections during the warm-up and hold them measured.
  const opened = connectionWorkloads.includes(step.workload) ? totals.connectionsOpened + result.warmupTotals.connectionsOpened : 0;
  // A stream held since the warm-up (SSE) completes no request while measured: its events are its answers.
  const succeeded = Math.max(0, answered) + opened || totals.events;
  const errors = totals.errors;
  const attempts = succeeded + errors;
  const errorRate = attempts > 0 ? errors / attempts : undefined;
  const reasons: string[] = [];
  const codes = topCodes(totals.errorsByCode);
  if (step.verdict.requireSuccess && succeeded === 0) {
    reasons.push(
      `nothing succeeded: no answered request, message or opened connection${errors > 0 ? `, ${count(errors)} errors (${codes})` : ''} ` +
        '(set verdict.requireSuccess: false if the step expects this)',
    );
  } else if (step.verdict.maxErrorRate !== 'off' && errorRate !== undefined && errorRate > step.verdict.maxErrorRate) {
    reasons.push(
      `error rate ${formatValue('fraction', Number(errorRate.toFixed(4)))} (${count(errors)} of ${count(attempts)} attempts: ${codes}) ` +
        `is above verdict.maxErrorRate ${formatValue('fraction', step.verdict.maxErrorRate)} (raise it, or set it to off if the step expects errors)`,
    );
  }
  return { stepIndex: step.stepIndex, step: step.stepLabel, passed: reasons.length === 0, succeeded, errors, errorRate, reasons };
}

export function runVerdict(steps: readonly StepResult[], status: RunStatus, reason: string | undefined, thresholds: readonly ThresholdVerdict[]): RunVerdict {
  const verdicts = steps.map(stepVerdict);
  const reasons = verdicts.flatMap((verdict) => verdict.reasons.map((text) => `step ${verdict.step}: ${text}`));
  const gate = gateOutcome(thresholds);
  for (const failed of gate.failed) reasons.push(`step ${failed.step}: threshold ${failed.expression} failed: ${failed.detail}`);
  for (const text of gate.unmeasured) reasons.push(`threshold ${text}: no step measured this metric`);
  if (status !== 'completed') reasons.push(`run ${status}${reason ? `: ${reason}` : ''}`);
  if (steps.length === 0 && status === 'completed') reasons.push('no step ran');
  return { passed: reasons.length === 0, reasons, steps: verdicts };
}
