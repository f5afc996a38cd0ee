// What workloads that hold or cycle connections may do to a slot's connection, recorded
// the same way whichever workload asks.
import type { ConnectionDriver } from '../protocols/driver.js';
import type { WorkloadContext } from '../workloads/workload.js';
import { now } from '../metrics/clock.js';
import type { Recorder } from '../metrics/recorder.js';
import type { ClientsHeld } from './clients-held.js';

export function connectionControl(
  drivers: ConnectionDriver[],
  recorder: Recorder,
  /** HTTP opens its socket with a request, which the target counts: so does sockcap. */
  establishingCountsRequest: boolean,
  clients: ClientsHeld,
): Pick<WorkloadContext, 'establish' | 'drop' | 'reconnected'> {
  return {
    establish(slot, done) {
      const client = slot % drivers.length;
      drivers[client]!.establish((error, responded) => {
        if (responded && establishingCountsRequest) recorder.count('requests');
        if (error) recorder.error(error);
        else {
          recorder.count('clientsOpened');
          clients.connected(client);
        }
        done(error === null);
      });
    },
    drop(slot) {
      const client = slot % drivers.length;
      clients.lost(client);
      drivers[client]!.drop();
    },
    reconnected(lostAt) {
      recorder.count('reconnects');
      recorder.record('reconnect_time', (now() - lostAt) * 1000);
    },
  };
}
