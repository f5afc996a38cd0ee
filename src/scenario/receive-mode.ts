// Which steps are receive-driven: the client does not time a request and its response, it
// waits for the target's events (polling, long-polling, WebSocket push). One definition,
// used by validation, the worker, and the reports.
import type { Scenario } from './types.js';

export type ReceiveMode = 'poll' | 'long-poll' | 'subscribe';

/** The transport as compare.csv names it. */
export type Transport = 'poll' | 'long-poll' | 'websocket';

export function receiveMode(scenario: Scenario): ReceiveMode | undefined {
  if (scenario.protocol === 'poll' || scenario.protocol === 'long-poll') return scenario.protocol;
  if (scenario.protocol === 'websocket' && scenario.websocket.mode === 'subscribe') return 'subscribe';
  return undefined;
}

export function transportOf(mode: ReceiveMode): Transport {
  return mode === 'subscribe' ? 'websocket' : mode;
}

export interface DeliveryClock {
  /** Whether delivery latency is measured at all (the events carry a publish time). */
  measured: boolean;
  /** Publisher and receivers read one machine's clock. */
  sharedClock: boolean;
  /** The same, in words, for the console and run.json. */
  note: string;
}

/** How far delivery latency can be trusted for a step; undefined for steps that receive no events. */
export function deliveryClockNote(scenario: Scenario): DeliveryClock | undefined {
  if (!receiveMode(scenario)) return undefined;
  if (scenario.target === undefined) {
    return { measured: true, sharedClock: true, note: 'the built-in target runs on this machine: publisher and receivers share one clock' };
  }
  const field = scenario.events.timestampField;
  if (field === '') {
    const note = 'events.timestampField is empty: the events carry no publish time, so delivery latency is not measured';
    return { measured: false, sharedClock: false, note };
  }
  const host = new URL(scenario.target).hostname.replace(/^\[|\]$/g, '');
  if (isLoopback(host)) {
    return { measured: true, sharedClock: true, note: `the target (${host}) is on this machine: publisher and receivers share one clock` };
  }
  const note = `delivery latency compares ${host}'s clock (events.${field}) with this machine's: it assumes the two are synchronised, and any offset between them is in every figure`;
  return { measured: true, sharedClock: false, note };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
