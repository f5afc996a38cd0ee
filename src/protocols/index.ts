// The protocol registry: a new protocol is one module (see protocol.ts for what it declares)
// plus one line here. Everything outside src/protocols/ asks here instead of switching on
// a protocol's name.
import type { MetricName } from '../metrics/histogram.js';
import type { Protocol, Scenario } from '../scenario/types.js';
import { httpProtocol } from './http.js';
import { longPollProtocol, pollProtocol } from './poll.js';
import type { ProtocolModule, StepPlan } from './protocol.js';
import { socketIoProtocol } from './socketio.js';
import { sseProtocol } from './sse.js';
import { tcpProtocol } from './tcp.js';
import { webSocketProtocol } from './websocket.js';

export const protocolModules: Readonly<Record<Protocol, ProtocolModule>> = {
  http: httpProtocol,
  websocket: webSocketProtocol,
  poll: pollProtocol,
  'long-poll': longPollProtocol,
  sse: sseProtocol,
  socketio: socketIoProtocol,
  tcp: tcpProtocol,
};

/** Every transport name a receive-driven step can have, in registry order: what the report colours by. */
export const transportNames: readonly string[] = Object.values(protocolModules).flatMap((module) => module.transports);

/** How this step runs: its driver or receiver and what it measures. */
export function stepPlan(step: Scenario): StepPlan {
  return protocolModules[step.protocol].plan(step);
}

/** What latency_* reports for the step: delivery for receive-driven steps, else the protocol's answer time. */
export function primaryMetricOf(step: Scenario): MetricName {
  const plan = stepPlan(step);
  return plan.kind === 'receive' ? 'delivery' : plan.metric;
}

/** Whether the step's clients wait for the target's events rather than timing answers. */
export function receivesEvents(step: Scenario): boolean {
  return stepPlan(step).kind === 'receive';
}
