// protocol: socketio. One socket.io-client (Engine.IO 4, Socket.IO 5 protocol) per
// connection, over `socketio.transports`: HTTP long-polling, WebSocket, or polling first and
// then an upgrade. In `mode: ack` each send is an emit of `ackEvent` whose acknowledgement
// is timed (`ack`); in `mode: subscribe` the client receives `event` and its payload's
// sequence number and publish time (the `events` settings) feed delivery, lost, duplicated
// and reordered. Every HTTP request of either transport (polls, posts, the upgrade) goes
// through this client's own agent (counting-agent.ts), which opens sockets with the
// SocketOpener (connect and TLS timed, wire bytes counted) and counts each request and its
// header bytes as polling does, so requests and header bytes per event compare across the
// transports.
import { createRequire } from 'node:module';
import type { io as ioType, Socket } from 'socket.io-client';
import { now } from '../metrics/clock.js';
import { Reconnection } from '../metrics/reconnection.js';
import type { Recorder } from '../metrics/recorder.js';
import type { StepScenario } from '../scenario/types.js';
import { workloads } from '../scenario/types.js';
import { countingAgent } from './counting-agent.js';
import type { ConnectionDriver, DriverContext, SendDone } from './driver.js';
import { errorCode } from './error-code.js';
import { eventReader } from './event-json.js';
import type { ProtocolModule } from './protocol.js';
import type { ReceiveTiming } from './receive-timing.js';
import type { EventReceiver, ReceiverContext } from './receiver.js';
import { httpTarget } from './target-port.js';
import type { ClientTls } from './tls-options.js';
import { wakeAt } from '../metrics/alarms.js';

// Loaded at the first Socket.IO connection, not with the protocol registry: every worker
// thread of every run loads the registry, and only a socketio run needs the client.
let loadedIo: typeof ioType | undefined;
function io(...args: Parameters<typeof ioType>): Socket {
  loadedIo ??= (createRequire(import.meta.url)('socket.io-client') as { io: typeof ioType }).io;
  return loadedIo(...args);
}

/** Why the namespace did not connect, as a stable code. */
function connectErrorCode(error: Error & { type?: string; description?: unknown }): string {
  if (error.message === 'Invalid namespace') return 'socketio_namespace_refused';
  if (error.message === 'timeout') return 'timeout';
  if (error.type === 'TransportError') {
    const cause = error.description;
    return cause instanceof Error ? errorCode(cause) : 'socketio_transport_error';
  }
  // The server's connect handler or middleware said no (a refused auth payload, a missing token).
  return 'socketio_refused';
}

interface Connection {
  socket: Socket;
  /** Called once: null when the namespace connected, else a stable code. */
  ready: Promise<string | null>;
}

function connect(scenario: StepScenario, target: URL, recorder: Recorder, tls: ClientTls | undefined, localAddress: string | undefined): Connection {
  const settings = scenario.socketio;
  const url = new URL(settings.namespace, httpTarget(target).origin);
  const startedAt = now();
  const socket = io(url.href, {
    path: settings.path,
    transports: settings.transports,
    upgrade: settings.transports.length > 1,
    auth: settings.auth,
    query: settings.query,
    extraHeaders: scenario.http.headers,
    // Typed for browsers (`string | boolean`); in Node the http.Agent is handed to http.request and ws.
    agent: countingAgent(recorder, tls, localAddress) as unknown as string,
    forceNew: true,
    reconnection: false,
    timeout: settings.timeout,
    // Handed to ws, where false keeps compression off (as sockcap's WebSocket does); typed as the browser's threshold.
    perMessageDeflate: false as unknown as { threshold: number },
  });
  let engineOpenedAt = startedAt;
  socket.io.on('open', () => {
    engineOpenedAt = now();
    socket.io.engine.once('upgrade', () => recorder.record('upgrade', (now() - engineOpenedAt) * 1000));
  });
  const ready = new Promise<string | null>((resolve) => {
    socket.once('connect', () => {
      recorder.record('handshake', (now() - startedAt) * 1000);
      resolve(null);
    });
    socket.once('connect_error', (error: Error) => {
      recorder.count('connectionsFailed');
      resolve(connectErrorCode(error));
    });
  });
  return { socket, ready };
}

export function createSocketIoDriver({ scenario, target, recorder, tls, localAddress, onClosed, connection: index }: DriverContext): ConnectionDriver {
  const settings = scenario.socketio;
  const payload = 'a'.repeat(settings.messageSize);
  let current: Connection | undefined;
  let closing = false;
  /** A connection lost under a send loop, brought back by a send (under a holding workload, connection-control.ts counts it). */
  const reconnection = new Reconnection(recorder);

  const emit = (connection: Connection, done: SendDone): void => {
    connection.socket.timeout(settings.timeout).emit(settings.ackEvent, payload, (error: Error | null) => {
      if (error) done('timeout', false);
      else done(null, true);
    });
  };

  const establish = (done: SendDone): void => {
    const connection = connect(scenario, target, recorder, tls, localAddress);
    current = connection;
    void connection.ready.then((error) => {
      if (error) {
        connection.socket.disconnect();
        done(error, false);
        return;
      }
      connection.socket.on('disconnect', (reason) => {
        if (current !== connection || closing || reason === 'io client disconnect') return;
        const code = `socketio_${reason.replaceAll(' ', '_')}`;
        // A heartbeat missed or a request that failed is a failure, as a WebSocket's unanswered
        // ping; the server closing the connection ('transport close') is a reconnect only.
        if (reason === 'ping timeout' || reason === 'transport error') recorder.error(code);
        reconnection.lost();
        onClosed(index, code);
      });
      done(null, true);
    });
  };

  return {
    open(done) {
      establish((error) => done(error));
    },
    establish,
    drop() {
      current?.socket.disconnect();
      current = undefined;
    },
    send(done) {
      const connection = current;
      if (connection?.socket.connected) return emit(connection, done);
      // Never connected, or the target dropped it: connect again before this emit. A failure
      // answers the send unanswered, so the workload waits its `reconnect` backoff before the next.
      connection?.socket.disconnect();
      reconnection.attempt();
      establish((error) => {
        if (error) return done(error, false);
        reconnection.opened();
        // The step may have ended while it connected: the send is then neither answered nor failed.
        if (closing || !current) return done(null, false);
        emit(current, done);
      });
    },
    close() {
      closing = true;
      current?.socket.disconnect();
      current = undefined;
      return Promise.resolve();
    },
  };
}

export function createSocketIoReceiver({ scenario, target, recorder, tls, localAddress, sink }: ReceiverContext): EventReceiver {
  const settings = scenario.socketio;
  const reader = eventReader(scenario.events);
  let closed = false;
  let timing: ReceiveTiming | undefined;
  let current: Connection | undefined;
  const reconnection = new Reconnection(recorder);

  const again = (): void => {
    if (closed || !timing) return;
    wakeAt(timing.nextAt(now(), false), open);
  };

  function open(): void {
    if (closed) return;
    reconnection.attempt();
    const connection = connect(scenario, target, recorder, tls, localAddress);
    current = connection;
    connection.socket.on(settings.event, (data: unknown) => {
      const receivedAt = now();
      recorder.count('messages');
      const { events, problem } = reader.message(JSON.stringify(data));
      if (problem) recorder.error(problem);
      sink.received(events, receivedAt);
    });
    void connection.ready.then((error) => {
      if (closed) return;
      if (error) {
        recorder.error(error);
        connection.socket.disconnect();
        again();
        return;
      }
      reconnection.opened();
      connection.socket.once('disconnect', (reason) => {
        if (closed) return;
        reconnection.lost();
        recorder.error(`socketio_${reason.replaceAll(' ', '_')}`);
        again();
      });
    });
  }

  return {
    start(given) {
      timing = given;
      wakeAt(given.firstAt, open);
    },
    close() {
      closed = true;
      current?.socket.disconnect();
      return Promise.resolve();
    },
  };
}

/** Over polling a client holds its pending GET and, beside it, the socket of a POST (an emit, a pong). */
const socketsPerClient = (transports: readonly string[]): number => (transports.includes('polling') ? 2 : 1);

/** How transports.csv names the transport of `socketio.transports`. */
const transportName = (transports: readonly string[]): string => `socketio-${transports.join('-')}`;

export const socketIoProtocol: ProtocolModule = {
  section: 'socketio',
  servedOverHttp2: false,
  newcomers: false,
  // In the order a scenario may list them: either alone, or both (the first tried first).
  transports: [['polling'], ['websocket'], ['polling', 'websocket'], ['websocket', 'polling']].map((list) => transportName(list)),
  urlSchemes: ['http:', 'https:', 'ws:', 'wss:'],
  rules: [
    (s) =>
      s.socketio.transports.length === 0 || new Set(s.socketio.transports).size < s.socketio.transports.length
        ? { path: ['socketio', 'transports'], expected: 'expected [polling], [websocket] or [polling, websocket] (polling first, then the upgrade)' }
        : undefined,
  ],
  plan: (step) =>
    step.socketio.mode === 'subscribe'
      ? {
          kind: 'receive',
          label: 'protocol: socketio with socketio.mode: subscribe',
          workloads: ['closed'],
          workloadsWhy: 'clients wait for events',
          connectMetric: 'handshake',
          socketsPerConnection: socketsPerClient(step.socketio.transports),
          countsAs: 'messages',
          ownMetrics: ['upgrade'],
          receiver: createSocketIoReceiver,
          transport: transportName(step.socketio.transports),
          pace: undefined,
          pathField: 'socketio.path',
        }
      : {
          kind: 'send',
          label: 'protocol: socketio',
          workloads,
          workloadsWhy: 'every workload emits with an acknowledgement',
          connectMetric: 'handshake',
          socketsPerConnection: socketsPerClient(step.socketio.transports),
          countsAs: 'messages',
          ownMetrics: ['upgrade'],
          driver: createSocketIoDriver,
          metric: 'ack',
          inFlightPerConnection: 1,
          establishCountsRequest: false,
          payloadBytes: step.socketio.messageSize,
        },
};
