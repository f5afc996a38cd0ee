// What a person watching the run sees: a live progress line on a terminal (quiet,
// line-oriented output in CI and pipes), saturation warnings naming the interval and the
// cause, and a compact summary table at the end.
import { summarize } from '../metrics/histogram.js';
import type { StepScenario } from '../scenario/types.js';
import type { IntervalRow, Output, RunInfo, RunResult, StepResult } from '../results/run-result.js';
import { summaryRow } from '../results/summary-row.js';
import { measuredCell } from '../results/number-format.js';
import { autoFallbackNote } from '../results/http2-columns.js';
import { deliveryClockNote } from '../scenario/delivery-clock.js';
import type { ClockOffset } from '../metrics/clock-offset.js';
import { connectionWorkloads } from '../scenario/types.js';
import { hasMessageSession, hasSession } from '../scenario/session-types.js';
import { primaryMetricOf, stepPlan } from '../protocols/index.js';
import { formatCount, formatMs, formatTable } from './table.js';

const kib = (value: number | undefined): string => (value === undefined ? '-' : `${value.toFixed(1)} KiB`);

/** One line of what the step's connections cost: the answer a capacity run is for. */
function describeCosts(result: StepResult): string {
  const { costs } = result;
  const cpu = costs.serverCpuMsPerConn === undefined ? '-' : `${costs.serverCpuMsPerConn.toFixed(3)} ms`;
  const opening = stepPlan(result.step).connectMetric;
  const handshake = summarize(result.histograms.get(opening));
  if (result.step.workload === 'connect') {
    return (
      `${formatCount(result.totals.connectionsOpened)} connections opened and closed (peak ${formatCount(result.connectRatePeak)}/s), ` +
      `${formatCount(result.totals.connectionsFailed)} failed; server CPU ${cpu} per new connection; ` +
      `${opening} p50 ${formatMs(handshake.p50)}, p99 ${formatMs(handshake.p99)}`
    );
  }
  // A client holding a varying number of sockets is priced per client: say both counts.
  const held = result.costsPerClient
    ? `${formatCount(result.clientsPeak ?? 0)} clients held (${formatCount(result.connectionsPeak)} sockets), ${formatCount(result.totals.connectionsFailed)} failed; per client: `
    : `${formatCount(result.connectionsPeak)} connections held, ${formatCount(result.totals.connectionsFailed)} failed; per connection: `;
  return (
    held +
    `client ${kib(costs.clientKibPerConn)}, server ${kib(costs.serverKibPerConn)}, kernel ${kib(costs.kernelKibPerConn)}, server CPU ${cpu}; ` +
    `peak connect rate ${formatCount(result.connectRatePeak)}/s, ${opening} p99 ${formatMs(handshake.p99)}`
  );
}

/** The most frequent error codes of a step, `code ×count`, most frequent first. */
function topErrors(result: StepResult, count: number): string {
  return Object.entries(result.totals.errorsByCode)
    .sort(([, a], [, b]) => b - a)
    .slice(0, count)
    .map(([code, n]) => `${code} ×${formatCount(n)}`)
    .join(', ');
}

/** How the step's sessions went: how many got past open, and which steps failed how often. */
function describeSession(result: StepResult): string {
  const { totals } = result;
  const failed = Object.entries(totals.errorsByCode)
    .filter(([code]) => code.startsWith('session_'))
    .sort(([, a], [, b]) => b - a)
    .map(([code, n]) => `${code} ×${formatCount(n)}`);
  return (
    `sessions: ${formatCount(totals.sessionsOpened)} got past open` +
    (hasMessageSession(result.step) ? `, ${formatCount(totals.messagesUnmatched)} unmatched messages` : '') +
    (failed.length > 0 ? `; failing steps: ${failed.join(', ')}` : '')
  );
}

/** Errors that mean the generator machine hit a limit, not that the target failed. */
const limitHints: Record<string, string> = {
  EMFILE: 'this process ran out of file descriptors (ulimit -n, per process): use fewer connections per process or more processes',
  ENFILE: 'the system ran out of file descriptors: lower the connection count',
  EADDRNOTAVAIL: 'out of ephemeral ports for this source address (about 28,000 per source and destination): bind more source addresses (127.0.0.2, …)',
};

export interface ConsoleOptions {
  /** Live progress line; defaults to whether stderr is a terminal. */
  progress?: boolean;
  quiet?: boolean;
  out?: NodeJS.WritableStream;
  err?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

export class ConsoleOutput implements Output {
  private readonly out: NodeJS.WritableStream;
  private readonly err: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  private readonly progress: boolean;
  private readonly quiet: boolean;
  private stepCount = 0;
  private progressShown = false;
  private warnedSteps = new Set<number>();

  constructor(options: ConsoleOptions = {}) {
    this.out = options.out ?? process.stdout;
    this.err = options.err ?? process.stderr;
    this.quiet = options.quiet ?? false;
    this.progress = !this.quiet && (options.progress ?? Boolean(this.err.isTTY));
  }

  runStarted(run: RunInfo): void {
    this.stepCount = run.scenario.steps.length;
    this.line(`sockcap run ${run.runId}: ${run.scenario.source}, ${this.stepCount} step${this.stepCount === 1 ? '' : 's'}`);
    this.line(`results: ${run.dir}`);
    for (const warning of run.warnings) this.line(`warning: ${warning}`);
  }

  stepStarted(step: StepScenario, plan: string, targetClock?: ClockOffset): void {
    // "websocket closed" read as a socket that closed: the workload is named as one.
    this.line(`step ${step.stepIndex + 1}/${this.stepCount} ${step.stepLabel}: ${step.protocol}, ${step.workload} workload, ${plan}`);
    if (stepPlan(step).kind !== 'receive') return;
    const delivery = deliveryClockNote(step, targetClock);
    if (!delivery.sharedClock) this.line(`note: ${delivery.note}`);
  }

  interval(row: IntervalRow): void {
    if (row.saturationCauses.length > 0 && row.phase === 'measure' && !this.warnedSteps.has(row.step.stepIndex)) {
      this.warnedSteps.add(row.step.stepIndex);
      this.clearProgress();
      this.err.write(
        `warning: generator saturated at ${row.elapsedS.toFixed(1)} s in step ${row.step.stepLabel}: ${row.saturationCauses.join('; ')} (its numbers describe the generator as much as the target)\n`,
      );
    }
    if (!this.progress) return;
    const primary = primaryMetricOf(row.step);
    const latency = summarize(row.histograms.get(primary));
    const completed = row.counters.requests + row.counters.messages;
    const rate = row.intervalS > 0 ? completed / row.intervalS : 0;
    const text =
      `[${row.step.stepLabel} ${row.phase === 'warmup' ? 'warm-up ' : ''}${row.elapsedS.toFixed(0)}/${row.stepDurationS.toFixed(0)} s] ` +
      `${formatCount(rate)}/s  p50 ${formatMs(latency.p50)}  p99 ${formatMs(latency.p99)}  ` +
      `errors ${formatCount(row.counters.errors)}  open ${formatCount(row.connectionsOpen)}  cpu ${row.client.cpuPct.toFixed(0)}%`;
    const width = Math.max(20, (this.err.columns ?? 100) - 1);
    this.err.write(`\r${text.slice(0, width).padEnd(width)}`);
    this.progressShown = true;
  }

  stepFinished(result: StepResult): void {
    this.clearProgress();
    const completed = result.totals.requests + result.totals.messages;
    const plan = stepPlan(result.step);
    const receiving = plan.kind === 'receive';
    this.line(
      `step ${result.step.stepIndex + 1}/${this.stepCount} ${result.step.stepLabel} ${result.interrupted ? 'interrupted' : 'done'}: ` +
        `${formatCount(completed)} ${plan.countsAs}, ${formatCount(result.totals.errors)} errors` +
        (receiving ? `, ${formatCount(result.totals.events)} events, ${formatCount(result.totals.lost)} lost` : ''),
    );
    const own = plan.ownMetrics
      .map((name) => ({ name, figures: summarize(result.histograms.get(name)) }))
      .filter(({ figures }) => figures.count > 0)
      .map(({ name, figures }) => `${name} p50 ${formatMs(figures.p50)}, p99 ${formatMs(figures.p99)}`);
    if (own.length > 0) this.line(`  ${own.join('; ')}`);
    if (receiving && result.totals.events === 0) {
      this.line(`warning: no event delivered in step ${result.step.stepLabel}: its delivery figures are empty (see errors.csv for why)`);
    }
    if (connectionWorkloads.includes(result.step.workload)) this.line(`  ${describeCosts(result)}`);
    const { reconnects, reconnectAttempts } = result.totals;
    if (reconnectAttempts > 0) this.line(`  ${formatCount(reconnects)} lost connections brought back in ${formatCount(reconnectAttempts)} reconnect attempts`);
    const fallback = autoFallbackNote(result);
    if (fallback) this.line(fallback);
    if (hasSession(result.step)) this.line(`  ${describeSession(result)}`);
    for (const code of Object.keys(result.totals.errorsByCode)) {
      const hint = limitHints[code];
      if (hint) this.line(`warning: ${code} in step ${result.step.stepLabel}: ${hint}`);
    }
  }

  runFinished(run: RunResult): void {
    this.clearProgress();
    if (run.steps.length > 0) this.out.write(`\n${this.table(run)}\n\n`);
    // Not silenced by --quiet: a failed run must say why wherever its output goes. How the run
    // ended is the verdict's last reason and has its own line below.
    const reasons = run.status === 'completed' ? run.verdict.reasons : run.verdict.reasons.slice(0, -1);
    for (const reason of reasons) this.err.write(`${this.red(`FAILED ${reason}`)}\n`);
    for (const step of run.steps.filter((result) => hasSession(result.step) && result.totals.sessionsOpened === 0)) {
      this.err.write(
        `no session got past open in step ${step.step.stepLabel}: ${topErrors(step, 3) || 'no error was counted (did the step end before any connection opened?)'}\n`,
      );
    }
    if (run.status === 'interrupted') this.err.write(`run interrupted (${run.reason ?? 'stopped'}): everything measured so far is in ${run.dir}\n`);
    else if (run.status === 'broken') this.err.write(`run broken (${run.reason ?? 'unknown cause'}): what was measured is in ${run.dir}\n`);
    else this.line(`results in ${run.dir}`);
  }

  private table(run: RunResult): string {
    const header = ['step', 'protocol', 'conns', 'completed', 'per s', 'errors', 'p50', 'p99', 'p99.9', 'max', 'client cpu', 'server cpu', 'saturated'];
    const rows = run.steps.map((step) => {
      const row = summaryRow(run.runId, run.scenario.base.name, step, primaryMetricOf(step.step));
      return [
        step.step.stepLabel,
        step.step.protocol,
        step.step.connections,
        formatCount(step.totals.requests + step.totals.messages),
        formatCount(measuredCell(row.throughput_per_s)),
        formatCount(step.totals.errors),
        formatMs(measuredCell(row.latency_p50_ms)),
        formatMs(measuredCell(row.latency_p99_ms)),
        formatMs(measuredCell(row.latency_p999_ms)),
        formatMs(measuredCell(row.latency_max_ms)),
        `${row.client_cpu_pct}%`,
        row.server_cpu_pct === '' ? '-' : `${row.server_cpu_pct}%`,
        row.generator_saturated ? 'YES' : 'no',
      ];
    });
    return formatTable(header, rows);
  }

  /** Red on a terminal (or with FORCE_COLOR), plain text in logs and pipes, never with NO_COLOR. */
  private red(text: string): string {
    const env = process.env;
    const color = env.NO_COLOR === undefined && (Boolean(env.FORCE_COLOR && env.FORCE_COLOR !== '0') || Boolean(this.err.isTTY));
    return color ? `\x1b[31m${text}\x1b[0m` : text;
  }

  private clearProgress(): void {
    if (!this.progressShown) return;
    this.err.write(`\r${' '.repeat(Math.max(20, (this.err.columns ?? 100) - 1))}\r`);
    this.progressShown = false;
  }

  warning(message: string): void {
    this.line(`warning: ${message}`);
  }

  private line(text: string): void {
    if (this.quiet) return;
    this.clearProgress();
    this.err.write(`${text}\n`);
  }
}
