// How far delivery latency can be trusted for a step that receives events: whether the
// events carry a publish time, and whether the publisher reads the same clock as the
// receivers. Used by the console and run.json.
import type { ClockOffset } from '../metrics/clock-offset.js';
import type { Scenario } from './types.js';

export interface DeliveryClock {
  /** Whether delivery latency is measured at all (the events carry a publish time). */
  measured: boolean;
  /** Publisher and receivers read one machine's clock. */
  sharedClock: boolean;
  /** The same, in words, for the console and run.json. */
  note: string;
  /** The offset to the target's host that delivery latency was corrected by, when sockcap agent gave one. */
  correction?: ClockOffset | undefined;
}

/** How far delivery latency can be trusted, for a step that receives events. */
export function deliveryClockNote(scenario: Scenario, targetClock?: ClockOffset): DeliveryClock {
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
  if (targetClock) {
    const offset = `${targetClock.offsetMs >= 0 ? '+' : ''}${targetClock.offsetMs.toFixed(2)} ms ± ${targetClock.uncertaintyMs.toFixed(2)} ms`;
    const note = `delivery latency compares ${host}'s clock (events.${field}) with this machine's, corrected by the offset sockcap agent's host measured ${offset} (best of ${targetClock.samples} round trips to ${targetClock.source}); what remains uncorrected is within ± ${targetClock.uncertaintyMs.toFixed(2)} ms`;
    return { measured: true, sharedClock: false, note, correction: targetClock };
  }
  const note = `delivery latency compares ${host}'s clock (events.${field}) with this machine's: it assumes the two are synchronised, and any offset between them is in every figure (sockcap agent beside the target, as targetMetrics.url, measures and corrects it)`;
  return { measured: true, sharedClock: false, note };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
