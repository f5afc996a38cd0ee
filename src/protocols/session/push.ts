// `push`: which messages of a session are events the target pushed, and where their sequence
// number and publish time are. Events go to the worker's sink (delivery latency, lost,
// duplicated, reordered); control messages (auth_ok, subscribed) that do not match are never
// counted as bad events.
import type { PushSettings } from '../../scenario/session-types.js';
import type { Recorder } from '../../metrics/recorder.js';
import { fieldAt, sequenceOf, timestampOf } from '../event-json.js';
import type { EventSink } from '../receiver.js';
import { compileJsonMatch, type Incoming, type Match } from './match.js';
import type { SessionVars } from './vars.js';

export interface PushEvents {
  /** With a match, an event is never an answer: it is looked at before any expect. */
  readonly first: boolean;
  matches(message: Incoming, vars: SessionVars): boolean;
  take(message: Incoming, receivedAt: number): void;
}

export function pushEvents(settings: PushSettings, sink: EventSink, recorder: Recorder): PushEvents {
  const match: Match | undefined = settings.match === undefined ? undefined : compileJsonMatch(settings.match);
  const sequence = settings.sequence.split('.');
  const timestamp = settings.timestamp === '' ? undefined : settings.timestamp.split('.');
  return {
    first: match !== undefined,
    matches: (message, vars) => match === undefined || match(message, vars),
    take(message, receivedAt) {
      const json = message.json;
      if (json === undefined) {
        recorder.error('event_invalid_json');
        return;
      }
      const seq = sequenceOf(fieldAt(json, sequence));
      if (seq === undefined) {
        recorder.error('event_bad_sequence');
        return;
      }
      const publishedAt = timestamp ? timestampOf(fieldAt(json, timestamp)) : undefined;
      if (timestamp && publishedAt === undefined) recorder.error('event_bad_timestamp');
      sink.received([{ seq, publishedAt }], receivedAt);
    },
  };
}
