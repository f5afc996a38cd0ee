/**
 * Splits `total` into `parts` whole shares that add up exactly, larger shares first
 * (10 over 3 → 4, 3, 3). The same inputs always give the same split, on any machine, which
 * is what lets workers and shards agree on who owns which connection without talking.
 */
export function splitEvenly(total: number, parts: number): number[] {
  const base = Math.floor(total / parts);
  const remainder = total - base * parts;
  return Array.from({ length: parts }, (_, index) => base + (index < remainder ? 1 : 0));
}
