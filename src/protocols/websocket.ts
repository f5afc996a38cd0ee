// WebSocket echo over ws: one socket per connection, one message in flight at a time, so
// each echo that comes back answers the message sent before it, and is checked to be that
// message: anything else is `ws_unexpected_reply`, neither a message nor an RTT. A scenario
// with a `websocket.session` gets the session driver instead (websocket-session.ts), and
// workloads that only hold connections a WebSocket without ws (websocket-hold.ts). Compression stays off
// unless the scenario asks: permessage-deflate costs CPU and fragments memory, and it
// would measure zlib rather than sockets.
import type { ConnectionDriver, DriverContext } from './driver.js';
import type { ProtocolModule } from './protocol.js';
import { webSocketSessionRules } from '../scenario/session-rules.js';
import { workloads } from '../scenario/types.js';
import { createSubscribeReceiver } from './websocket-subscribe.js';
import { hasWebSocketSession } from '../scenario/session-types.js';
import { createWebSocketSessionDriver } from './websocket-session.js';
import { sharedFor, WebSocketConnection } from './websocket-connection.js';
import { createHeldWebSocket, holdsOnly } from './websocket-hold.js';

export function createWebSocketDriver(context: DriverContext): ConnectionDriver {
  if (hasWebSocketSession(context.scenario.websocket.session)) return createWebSocketSessionDriver(context);
  if (holdsOnly(context.scenario)) return createHeldWebSocket(context);
  return new WebSocketConnection(sharedFor(context), context);
}

export const webSocketProtocol: ProtocolModule = {
  section: 'websocket',
  servedOverHttp2: false,
  newcomers: false,
  transports: ['websocket'],
  urlSchemes: ['ws:', 'wss:', 'http:', 'https:'],
  rules: [...webSocketSessionRules],
  plan: (step) =>
    step.websocket.mode === 'subscribe'
      ? {
          kind: 'receive',
          label: 'protocol: websocket with websocket.mode: subscribe',
          workloads: ['closed'],
          workloadsWhy: 'clients wait for events',
          connectMetric: 'handshake',
          socketsPerConnection: 1,
          countsAs: 'messages',
          ownMetrics: [],
          receiver: createSubscribeReceiver,
          transport: 'websocket',
          pace: undefined,
          pathField: 'websocket.subscribePath',
        }
      : {
          kind: 'send',
          label: 'protocol: websocket',
          workloads,
          workloadsWhy: 'every workload sends messages',
          connectMetric: 'handshake',
          socketsPerConnection: 1,
          countsAs: 'messages',
          ownMetrics: [],
          driver: createWebSocketDriver,
          metric: 'rtt',
          inFlightPerConnection: 1,
          establishCountsRequest: false,
          payloadBytes: step.websocket.messageSize,
        },
};
