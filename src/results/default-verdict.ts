// The default verdict: checks every step gets without asking, so a run whose target refused
// everything, answered with the wrong protocol or failed most requests never passes in CI.
// A step fails when nothing succeeded (verdict.requireSuccess) or when its error rate is above
// verdict.maxErrorRate; the run's verdict adds failed thresholds and how the run ended.
import type { RunStatus, RunVerdict, StepResult, StepVerdict } from './run-result.js';
import { countHttpErrors } from './summary-row.js';
import { connectionWorkloads, type WorkloadKind } from '../scenario/types.js';
import type { Counters } from '../metrics/counters.js';
import { gateOutcome, type ThresholdVerdict } from './threshold-verdict.js';
import { formatValue } from '../scenario/metric-ref.js';
import { formatDecimal } from '../metrics/decimal.js';

const count = (n: number): string => formatDecimal(n, 3);

/** The commonest error codes, as `ECONNREFUSED 6,964, http_503 12`. */
function topCodes(errorsByCode: Record<string, number>): string {
  const codes = Object.entries(errorsByCode)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
  const shown = codes.slice(0, 3).map(([code, n]) => `${code} ${count(n)}`);
  return codes.length > 3 ? `${shown.join(', ')}, …` : shown.join(', ');
}

/**
 * The operations of `counters` that succeeded: answered requests and messages, the connections
 * a connection workload opened (`openedBefore` more from the warm-up, where most open), or
 * else the events of a held stream (SSE), which completes no request while measured.
 */
export function succeededIn(counters: Counters, workload: WorkloadKind, openedBefore = 0): number {
  // A non-2xx answer completes a request but is an error, so it is no success.
  const answered = counters.requests - countHttpErrors(counters.errorsByCode) + counters.messages;
  const opened = connectionWorkloads.includes(workload) ? counters.connectionsOpened + openedBefore : 0;
  return Math.max(0, answered) + opened || counters.events;
}

/**
 * What shows in one measured interval that the target still answers: what succeeded in it,
 * and for a connection workload the connections it still held at the interval's end. An idle
 * hold completes nothing while measured, so a few connections lost near the end of a 10,000
 * held would otherwise read as a target that stopped answering.
 */
export function answeredIn(counters: Counters, workload: WorkloadKind, held: number): number {
  return succeededIn(counters, workload) + (connectionWorkloads.includes(workload) ? held : 0);
}

export function stepVerdict(result: StepResult): StepVerdict {
  const { totals, step } = result;
  const succeeded = succeededIn(totals, step.workload, result.warmupTotals.connectionsOpened);
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
  } else if (step.verdict.requireSuccess && result.unansweredTail) {
    // However low the error rate (retries wait their backoff, so a dead target adds few), a
    // step whose target stopped answering for good measured a service that is down.
    const { seconds, errors: lastErrors } = result.unansweredTail;
    reasons.push(
      `the target stopped answering: nothing succeeded in the last ${seconds.toFixed(1)} s of the step, ${count(lastErrors)} errors in them (the step's: ${codes}) ` +
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
