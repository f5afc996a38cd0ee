/**
 * The moments a worker closes an interval: every `interval` from the start through the
 * warm-up, exactly at the end of the warm-up, then every `interval` from there to the end.
 * Every worker computes the same list, so the coordinator can line snapshots up by time.
 */
export function snapshotTimes(startAt: number, measureFrom: number, endAt: number, interval: number): number[] {
  const times: number[] = [];
  for (let at = startAt + interval; at < measureFrom; at += interval) times.push(at);
  if (measureFrom > startAt) times.push(measureFrom);
  for (let at = measureFrom + interval; at < endAt; at += interval) times.push(at);
  times.push(endAt);
  return times;
}
