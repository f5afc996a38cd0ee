// What workloads that hold or cycle connections may do to a slot's connection, recorded
// the same way whichever workload asks.
import type { ConnectionDriver } from '../protocols/driver.js';
import type { WorkloadContext } from '../workloads/workload.js';
import type { Recorder } from '../metrics/recorder.js';
import { Reconnection } from '../metrics/reconnection.js';
import type { ClientsHeld } from './clients-held.js';

export function connectionControl(
  drivers: ConnectionDriver[],
  recorder: Recorder,
  /** HTTP opens its socket with a request, which the target counts: so does sockcap. */
  establishingCountsRequest: boolean,
  clients: ClientsHeld,
): Pick<WorkloadContext, 'establish' | 'drop' | 'lost'> {
  const reconnections = new Map<number, Reconnection>();
  const reconnectionOf = (slot: number): Reconnection => {
    let reconnection = reconnections.get(slot);
    if (!reconnection) reconnections.set(slot, (reconnection = new Reconnection(recorder)));
    return reconnection;
  };
  return {
    establish(slot, done) {
      const client = slot % drivers.length;
      const reconnection = reconnections.get(slot);
      reconnection?.attempt();
      drivers[client]!.establish((error, responded) => {
        if (responded && establishingCountsRequest) recorder.count('requests');
        if (error) recorder.error(error);
        else {
          recorder.count('clientsOpened');
          clients.connected(client);
          reconnection?.opened();
        }
        done(error === null);
      });
    },
    drop(slot) {
      const client = slot % drivers.length;
      clients.lost(client);
      drivers[client]!.drop();
    },
    lost(slot, at) {
      reconnectionOf(slot).lost(at);
    },
  };
}
