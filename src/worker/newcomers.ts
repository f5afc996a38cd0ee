// A worker's share of the step's newcomers: the schedule says when, the newcomer request
// says how. They are started once the warm-up's last snapshot is posted, when the step's own
// connections are open: arriving with them, a newcomer could take the slot of a connection
// still opening and turn it away, and the step would measure that race instead of the
// crowding; and an arrival counted in the warm-up with its answer counted after it would
// make more newcomers turned away than arrived. Requests still waiting when the step ends
// are abandoned uncounted.
import { sendNewcomer } from '../protocols/newcomer.js';
import { newcomerSchedule } from '../workloads/newcomers.js';
import { now } from '../metrics/clock.js';
import { sourceOf, type Slice } from './messages.js';
import type { Recorder } from '../metrics/recorder.js';

/** Starts this worker's newcomers, from `slice.measureFrom`; the returned function stops them. */
export function startNewcomers(slice: Slice, recorder: Recorder): () => void {
  const { scenario } = slice;
  if (scenario.newcomers.rate <= 0) return () => {};
  // Spread over the target's processes as the step's connections are.
  const requests = slice.targets.map((url) => {
    const target = new URL(url);
    return {
      target,
      path: target.pathname === '/' && scenario.http.path ? scenario.http.path : target.pathname + target.search,
      method: scenario.http.method,
      timeoutMs: scenario.newcomers.timeout,
      localAddress: undefined as string | undefined,
    };
  });
  let arrivals = 0;
  const waiting = new Set<() => void>();
  const stopSchedule = newcomerSchedule(
    {
      rate: scenario.newcomers.rate,
      workerIndex: slice.workerIndex,
      workerCount: slice.workerCount,
      startAt: slice.measureFrom,
      endAt: slice.endAt,
      now,
    },
    (intendedAt) => {
      const request = requests[arrivals % requests.length]!;
      // Newcomers take the source addresses in turn too, numbered across the workers.
      request.localAddress = sourceOf(slice, arrivals++ * slice.workerCount + slice.workerIndex);
      const abandon = sendNewcomer(request, intendedAt, now, recorder, () => waiting.delete(abandon));
      waiting.add(abandon);
    },
  );
  return () => {
    stopSchedule();
    for (const abandon of waiting) abandon();
    waiting.clear();
  };
}
