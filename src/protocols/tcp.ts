// Bare TCP (and TLS for https:// or wss:// targets): a connection and nothing else, to
// price opening and holding a socket apart from any protocol spoken over it. Only the
// workloads that open and hold connections use it; it has no request to send.
import type { Socket } from 'node:net';
import type { ConnectionDriver, DriverContext, SendDone } from './driver.js';
import { errorCode } from './error-code.js';
import { socketOpener } from './socket-opener.js';
import { defaultPort } from './target-port.js';
import type { ProtocolModule } from './protocol.js';
import { connectionWorkloads } from '../scenario/types.js';

export function createTcpDriver({ target, recorder, tls, localAddress, onClosed, connection }: DriverContext): ConnectionDriver {
  const opener = socketOpener(recorder, tls);
  const host = target.hostname.replace(/^\[|\]$/g, '');
  const port = defaultPort(target);
  let socket: Socket | undefined;
  let closing = false;

  function establish(done: SendDone): void {
    const { socket: opened, readyEvent } = opener.open({ host, port, localAddress });
    socket = opened;
    let ready = false;
    opened.once(readyEvent, () => {
      ready = true;
      done(null, true);
    });
    opened.on('error', (error) => {
      if (!ready) {
        recorder.count('connectionsFailed');
        done(errorCode(error), false);
      }
    });
    opened.once('close', () => {
      if (ready && socket === opened && !closing) onClosed(connection, 'closed_by_target');
    });
    // The target may send a banner or close; nothing is read, so let nothing pile up.
    opened.resume();
  }

  return {
    open(done) {
      establish((error) => done(error));
    },
    establish,
    drop() {
      const dropped = socket;
      socket = undefined;
      dropped?.destroy();
    },
    send(done) {
      done('tcp_has_no_requests', false);
    },
    async close() {
      closing = true;
      socket?.destroy();
    },
  };
}

export const tcpProtocol: ProtocolModule = {
  section: undefined,
  servedOverHttp2: false,
  newcomers: false,
  transports: [],
  urlSchemes: ['http:', 'https:', 'ws:', 'wss:'],
  rules: [],
  plan: () => ({
    kind: 'send',
    label: 'protocol: tcp',
    workloads: connectionWorkloads,
    workloadsWhy: 'a bare connection has no request to send',
    connectMetric: 'connect',
    socketsPerConnection: 1,
    countsAs: 'requests',
    ownMetrics: [],
    driver: createTcpDriver,
    metric: 'latency',
    inFlightPerConnection: 1,
    establishCountsRequest: false,
    payloadBytes: 0,
  }),
};
