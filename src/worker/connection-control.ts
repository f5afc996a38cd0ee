// What workloads that hold or cycle connections may do to a slot's connection, recorded
// the same way whichever workload asks.
import type { ConnectionDriver } from '../protocols/driver.js';
import type { WorkloadContext } from '../workloads/workload.js';
import { now } from '../metrics/clock.js';
import type { Recorder } from '../metrics/recorder.js';

export function connectionControl(
  drivers: ConnectionDriver[],
  recorder: Recorder,
  /** HTTP opens its socket with a request, which the target counts: so does sockcap. */
  establishingCountsRequest: boolean,
): Pick<WorkloadContext, 'establish' | 'drop' | 'reconnected'> {
  return {
    establish(slot, done) {
      drivers[slot % drivers.length]!.establish((error, responded) => {
        if (responded && establishingCountsRequest) recorder.count('requests');
        if (error) recorder.error(error);
        done(error === null);
      });
    },
    drop(slot) {
      drivers[slot % drivers.length]!.drop();
    },
    reconnected(lostAt) {
      recorder.count('reconnects');
      recorder.record('reconnect_time', (now() - lostAt) * 1000);
    },
  };
}
