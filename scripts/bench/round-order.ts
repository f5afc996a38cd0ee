// The order tools run in within one round: as listed on odd rounds, reversed on even ones,
// so a machine that drifts faster or slower over the bench favours no tool (ABBA).
export function inRoundOrder<T>(runs: T[], round: number): T[] {
  return round % 2 === 1 ? runs : [...runs].reverse();
}
