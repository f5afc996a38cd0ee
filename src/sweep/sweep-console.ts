// The end of a sweep on the console: one line per finished combination with the figures
// that decide a keep-alive setting, then the best combination for the user's goal.
import { bestFor, goalColumn, type GoalName, type SweepRecord } from './goal.js';
import type { Output, RunResult } from '../results/run-result.js';
import { sweepRecord, type SweepLayout } from './sweep-csv.js';
import { readIntervalLog } from '../results/interval-log.js';
import { intervalSteps, spreadOf, type Spread } from '../gate/interval-noise.js';
import { formatTable } from '../outputs/table.js';

const shown: [header: string, column: string][] = [
  ['reuse %', 'reuse_pct'],
  ['new/1k req', 'new_conns_per_1k_requests'],
  ['races', 'keepalive_race_errors'],
  ['race %', 'race_error_pct'],
  ['errors', 'errors'],
  ['p50 ms', 'latency_p50_ms'],
  ['p99 ms', 'latency_p99_ms'],
  ['p99 reused', 'latency_reused_p99_ms'],
  ['p99 fresh', 'latency_fresh_p99_ms'],
  ['idle socks', 'idle_server_sockets'],
  ['peak socks', 'peak_server_sockets'],
  ['refused', 'rejected_connections'],
  ['turned away %', 'newcomers_turned_away_pct'],
  ['srv cpu %', 'server_cpu_pct'],
  ['srv MiB', 'server_rss_mib'],
];

export class SweepConsole implements Output {
  constructor(
    private readonly rows: () => SweepRecord[],
    /** For the row an interval would make in sweep.csv: the goal's figure interval by interval. */
    private readonly layout: SweepLayout,
    private readonly goal: GoalName,
    private readonly out: NodeJS.WritableStream = process.stdout,
  ) {}

  runFinished(run: RunResult): void {
    const rows = this.rows();
    if (rows.length === 0) return;
    const table = formatTable(
      ['combination', ...shown.map(([header]) => header)],
      rows.map((row) => [String(row.step), ...shown.map(([, column]) => cell(row[column]))]),
    );
    const verdict = bestFor(this.goal, rows, this.spreads(run));
    const total = run.scenario.steps.length;
    const missing = total - rows.length;
    this.out.write(`\n${table}\n\n${typeof verdict === 'string' ? verdict : verdict.text}\n`);
    if (missing > 0) this.out.write(`${missing} of ${total} combinations not measured yet: sockcap sweep --resume ${run.dir}\n`);
    this.out.write(`sweep.csv: ${run.dir}/sweep.csv\n\n`);
  }

  /** How each combination's goal figure varied from interval to interval (intervals.jsonl). */
  private spreads(run: RunResult): Map<number, Spread | undefined> {
    const column = goalColumn(this.goal);
    const records = readIntervalLog(run.dir);
    return new Map(
      run.steps.map((step) => {
        const values = intervalSteps(step, records)
          .map((interval) => sweepRecord(run, interval, this.layout)[column])
          .filter((value): value is number => typeof value === 'number');
        return [step.step.stepIndex, spreadOf(values)];
      }),
    );
  }
}

function cell(value: string | number | boolean | undefined): string {
  return value === undefined || value === '' ? '-' : String(value);
}
