// Which combination of a sweep is best for what the user said they want. Every goal is
// judged among the combinations without a keep-alive race (the resets users see), and only
// when every combination had races among those with the fewest. The best is named with what
// it was measured on, and only when it beats the runner-up by more than the noise `sockcap
// compare` would allow (interval-to-interval variation, gate/interval-noise.ts).
import type { CsvValue } from '../outputs/csv.js';
import { defaultLatencyFloorMs } from '../gate/compare.js';
import { noiseBetween, type Spread } from '../gate/interval-noise.js';
import { formatDecimal } from '../metrics/decimal.js';

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

/** The sweep.csv column a goal minimises. */
export function goalColumn(goalName: GoalName): string {
  return goals[goalName].column;
}

/** How a combination's goal figure varied from interval to interval, by `step_index`: what decides whether two combinations differ beyond noise. */
export type GoalSpreads = ReadonlyMap<number, Spread | undefined>;

export function bestFor(goalName: GoalName, records: readonly SweepRecord[], spreads: GoalSpreads = new Map()): Verdict | string {
  const goal = goals[goalName];
  const scored = records.filter((record) => typeof record[goal.column] === 'number');
  if (scored.length === 0) return `no combination has ${goal.column} (${goalName} needs it measured)`;
  const races = (record: SweepRecord): number => Number(record.keepalive_race_errors ?? 0);
  const fewestRaces = Math.min(...scored.map(races));
  const score = (record: SweepRecord): number => record[goal.column] as number;
  // Ties go to the lower p99, then to the earlier combination (the sort is stable).
  const [best, runnerUp] = scored
    .filter((record) => races(record) === fewestRaces)
    .sort((a, b) => score(a) - score(b) || Number(a.latency_p99_ms) - Number(b.latency_p99_ms));
  const condition = fewestRaces === 0 ? 'at zero keep-alive races' : `every combination had races; among those with the fewest (${fewestRaces})`;
  const figure = (record: SweepRecord): string => `${goal.column} ${String(record[goal.column])} ${goal.unit}, on ${sampleSize(record)}`;
  const p99 = goal.column === 'latency_p99_ms' ? '' : `, p99 ${String(best!.latency_p99_ms)} ms`;
  const named = `${String(best!.step)} (${figure(best!)}${p99}, reuse ${String(best!.reuse_pct)} %, ${String(best!.errors)} errors)`;
  if (!runnerUp) return { record: best!, text: `best for ${goal.words} ${condition}: ${named}, the only one` };
  const gap = score(runnerUp) - score(best!);
  const spreadOfBest = spreads.get(Number(best!.step_index));
  const spreadOfRunnerUp = spreads.get(Number(runnerUp.step_index));
  if (!spreadOfBest || !spreadOfRunnerUp) {
    return { record: best!, text: `best for ${goal.words} ${condition}: ${named}; noise not estimated (fewer than 2 intervals measured it)` };
  }
  const noise = noiseBetween(spreadOfBest, spreadOfRunnerUp, score(best!));
  // A latency must also differ by more than compare's absolute floor: 0.1 ms on a 0.2 ms p99 is jitter.
  const floor = goal.unit === 'ms' ? defaultLatencyFloorMs : 0;
  const margin = `${formatFigure(gap)} ${goal.unit} apart, noise ±${formatFigure(noise)} ${goal.unit}`;
  if (gap <= noise || gap <= floor) {
    return (
      `no best for ${goal.words} ${condition}: ${String(best!.step)} (${figure(best!)}) and ${String(runnerUp.step)} (${figure(runnerUp)}) ` +
      `are ${margin}${gap > noise ? `, within the ${floor} ms floor` : ''}, from interval-to-interval variation: measure longer or with more connections to tell them apart`
    );
  }
  return { record: best!, text: `best for ${goal.words} ${condition}: ${named}; runner-up ${String(runnerUp.step)} ${margin}` };
}

/** What a combination's figures were measured on: its requests or messages. */
function sampleSize(record: SweepRecord): string {
  const messages = Number(record.messages ?? 0);
  return messages > 0 ? `${formatDecimal(messages, 3)} messages` : `${formatDecimal(Number(record.requests ?? 0), 3)} requests`;
}

function formatFigure(value: number): string {
  return Number(value.toPrecision(3)).toString();
}
