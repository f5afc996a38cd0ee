// Where a receiver's events become measurements: one sink per simulated client, holding
// that client's sequence tracker. Delivery latency is the receipt time minus the publish
// time stamped on the event, both epoch ms (see clock.ts), so it is recorded only for events
// that carry a publish time. The publish time is read on the target's clock: a measured
// offset to it (target minus here) turns it into this machine's time first.
import { SequenceTracker } from '../metrics/sequence.js';
import type { EventSink } from '../protocols/receiver.js';
import type { Recorder } from '../metrics/recorder.js';

export function eventSink(recorder: Recorder, targetClockOffsetMs = 0): EventSink {
  const tracker = new SequenceTracker();
  return {
    get last() {
      return tracker.last;
    },
    positioned(seq) {
      tracker.position(seq);
    },
    received(events, receivedAt) {
      if (events.length === 0) {
        recorder.count('emptyResponses');
        return;
      }
      for (const event of events) {
        const arrival = tracker.see(event.seq);
        if (arrival === 'duplicate') {
          recorder.count('duplicates');
          continue;
        }
        recorder.count('events');
        if (arrival === 'reordered') {
          // It was counted lost when a later one came first.
          recorder.count('reordered');
          recorder.count('lost', -1);
        } else if (tracker.skipped > 0) {
          recorder.count('lost', tracker.skipped);
        }
        if (event.publishedAt !== undefined) recorder.record('delivery', (receivedAt - (event.publishedAt - targetClockOffsetMs)) * 1000);
      }
    },
  };
}
