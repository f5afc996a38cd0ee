// The registry as a worker thread reaches it: only the module of the protocol its slice
// drives is loaded. index.ts loads every protocol (the coordinator checks scenarios and
// reports with all of them), which cost a WebSocket worker the HTTP/1.1, HTTP/2, poll, SSE,
// Socket.IO and TCP drivers and Node's http2 with them, about 9 ms of CPU per thread.
// Typed by Protocol, so a protocol missing here does not compile.
import type { Protocol, Scenario } from '../scenario/types.js';
import type { ProtocolModule, StepPlan } from './protocol.js';

const loaders: Readonly<Record<Protocol, () => Promise<ProtocolModule>>> = {
  http: async () => (await import('./http.js')).httpProtocol,
  websocket: async () => (await import('./websocket.js')).webSocketProtocol,
  poll: async () => (await import('./poll.js')).pollProtocol,
  'long-poll': async () => (await import('./poll.js')).longPollProtocol,
  sse: async () => (await import('./sse.js')).sseProtocol,
  socketio: async () => (await import('./socketio.js')).socketIoProtocol,
  tcp: async () => (await import('./tcp.js')).tcpProtocol,
};

/** The protocol's module, loaded on first use: the same object index.ts lists. */
export function loadProtocolModule(protocol: Protocol): Promise<ProtocolModule> {
  return loaders[protocol]();
}

/** What stepPlan in index.ts gives, loading only the step's own protocol. */
export async function loadStepPlan(step: Scenario): Promise<StepPlan> {
  return (await loadProtocolModule(step.protocol)).plan(step);
}
