// The lean HTTP/2 path: the plain request loop (closed and arrival-rate workloads,
// `http.version: 2`, no session) over sockcap's own framing (http2-lean-client.ts and
// http2-lean-connection.ts) rather than node:http2, whose per-request cost was most of the
// generator's CPU (docs/http2.md says which client serves which step, and why).
import type { StepScenario } from '../scenario/types.js';
import { now } from '../metrics/clock.js';
import type { ConnectionDriver, DriverContext, SendDone } from './driver.js';
import { LeanClient, LeanRequest } from './http2-lean-client.js';

/** The steps the lean path serves: the plain loop, where the CPU per request is spent. */
export function leanHttp2Serves(scenario: Pick<StepScenario, 'http' | 'workload'>): boolean {
  return scenario.http.version === '2' && (scenario.workload === 'closed' || scenario.workload === 'arrival-rate');
}

export function createLeanHttp2Driver(context: DriverContext): ConnectionDriver {
  /** An established connection is held: its establishing request was answered (as in http2.ts). */
  let held = false;
  const client = new LeanClient(context, (code) => {
    if (!held) return;
    held = false;
    context.onClosed(context.connection, code);
  });
  const send = (done: SendDone, sentAt = now()): void => client.request(new LeanRequest(done, sentAt));
  return {
    open: (done) => done(null),
    send,
    establish: (done) =>
      send((error, responded, endedAt) => {
        held = responded;
        done(error, responded, endedAt);
      }),
    drop: () => {
      held = false;
      client.drop();
    },
    close: async () => client.close(),
  };
}
