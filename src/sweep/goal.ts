// Which combination of a sweep is best for what the user said they want. Every goal is
// judged among the combinations without a keep-alive race (the resets users see), and only
// when every combination had races among those with the fewest.
import type { CsvValue } from '../outputs/csv.js';

export const goalNames = ['lowest-p99', 'fewest-new-connections', 'fewest-idle-sockets', 'fewest-turned-away'] as const;
export type GoalName = (typeof goalNames)[number];

interface Goal {
  /** The sweep.csv column minimised. */
  column: string;
  /** How the console says it: "lowest p99". */
  words: string;
  unit: string;
}

const goals: Record<GoalName, Goal> = {
  'lowest-p99': { column: 'latency_p99_ms', words: 'lowest p99 latency', unit: 'ms' },
  'fewest-new-connections': { column: 'new_conns_per_1k_requests', words: 'fewest new connections', unit: 'per 1k requests' },
  'fewest-idle-sockets': { column: 'idle_server_sockets', words: 'fewest idle server sockets', unit: 'idle on average' },
  'fewest-turned-away': { column: 'newcomers_turned_away_pct', words: 'fewest newcomers turned away', unit: '%' },
};

export type SweepRecord = Record<string, CsvValue>;

export interface Verdict {
  record: SweepRecord;
  /** One line for the console. */
  text: string;
}

export function bestFor(goalName: GoalName, records: readonly SweepRecord[]): Verdict | string {
  const goal = goals[goalName];
  const scored = records.filter((record) => typeof record[goal.column] === 'number');
  if (scored.length === 0) return `no combination has ${goal.column} (${goalName} needs it measured)`;
  const races = (record: SweepRecord): number => Number(record.keepalive_race_errors ?? 0);
  const fewestRaces = Math.min(...scored.map(races));
  const candidates = scored.filter((record) => races(record) === fewestRaces);
  const score = (record: SweepRecord): number => record[goal.column] as number;
  // Ties go to the lower p99, then to the earlier combination.
  const best = candidates.reduce((a, b) => (score(b) < score(a) || (score(b) === score(a) && Number(b.latency_p99_ms) < Number(a.latency_p99_ms)) ? b : a));
  const condition = fewestRaces === 0 ? 'at zero keep-alive races' : `every combination had races; among those with the fewest (${fewestRaces})`;
  const p99 = goal.column === 'latency_p99_ms' ? '' : `, p99 ${String(best.latency_p99_ms)} ms`;
  const text =
    `best for ${goal.words} ${condition}: ${String(best.step)} ` +
    `(${goal.column} ${String(best[goal.column])} ${goal.unit}${p99}, reuse ${String(best.reuse_pct)} %, ${String(best.errors)} errors)`;
  return { record: best, text };
}
