// The registry of receive-driven protocols: a new way to receive events is one file plus
// one line here.
import type { ReceiveMode } from '../scenario/receive-mode.js';
import { createLongPollReceiver, createPollReceiver } from './poll.js';
import type { ReceiverFactory } from './receiver.js';
import { createSubscribeReceiver } from './websocket-subscribe.js';

const receivers: Record<ReceiveMode, ReceiverFactory> = {
  poll: createPollReceiver,
  'long-poll': createLongPollReceiver,
  subscribe: createSubscribeReceiver,
};

export function receiverFor(mode: ReceiveMode): ReceiverFactory {
  return receivers[mode];
}
