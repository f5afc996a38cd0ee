// Opens a slice's connections for workloads that send on them (closed, arrival-rate) at the
// slice's share of `connectRate`, all at once when it is 0. 100,000 handshakes started at
// once time out on a box that completes a few thousand a second. Each connection is handed
// to the workload as soon as it is open, so the open ones carry the load while the rest are
// still opening (during the warm-up, when the rate and count call for one).
import type { ConnectionDriver } from '../protocols/driver.js';
import { now } from '../metrics/clock.js';
import type { Recorder } from '../metrics/recorder.js';
import { createPacer } from '../workloads/pacer.js';

/** Starts opening; `opened(connection)` follows each open or failed attempt. The returned function stops what has not started. */
export function openConnections(
  drivers: readonly ConnectionDriver[],
  ratePerSecond: number,
  startAt: number,
  recorder: Recorder,
  opened: (connection: number) => void,
): () => void {
  const pacer = createPacer(ratePerSecond, startAt, now);
  let stopped = false;
  for (let connection = 0; connection < drivers.length; connection++) {
    pacer.schedule(() =>
      drivers[connection]!.open((error) => {
        if (error) recorder.error(error);
        if (!stopped) opened(connection);
      }),
    );
  }
  return () => {
    stopped = true;
    pacer.stop();
  };
}
