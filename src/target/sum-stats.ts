import type { TargetStats } from './server.js';

/** The counts of several target processes (or of every shard's target) as one; undefined when none reported. */
export function sumTargetStats(stats: readonly (TargetStats | undefined)[]): TargetStats | undefined {
  const known = stats.filter((entry): entry is TargetStats => entry !== undefined);
  if (known.length === 0) return undefined;
  const total = { ...known[0]! };
  for (const entry of known.slice(1)) {
    for (const key of Object.keys(total) as (keyof TargetStats)[]) total[key] += entry[key];
  }
  return total;
}
