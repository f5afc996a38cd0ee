// How far delivery latency can be trusted for a step that receives events: whether the
// events carry a publish time, and whether the publisher reads the same clock as the
// receivers. Used by the console and run.json.
import type { Scenario } from './types.js';

export interface DeliveryClock {
  /** Whether delivery latency is measured at all (the events carry a publish time). */
  measured: boolean;
  /** Publisher and receivers read one machine's clock. */
  sharedClock: boolean;
  /** The same, in words, for the console and run.json. */
  note: string;
}

/** How far delivery latency can be trusted, for a step that receives events. */
export function deliveryClockNote(scenario: Scenario): DeliveryClock {
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
