// The pieces of poll / long-poll / WebSocket subscribe that need no network: sequence
// tracking, reading events out of JSON, poll paths, header byte counts and poll timing.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SequenceTracker, type Arrival } from '../src/metrics/sequence.js';
import { eventReader } from '../src/protocols/event-json.js';
import { pollPath, responseHeadBytes } from '../src/protocols/poll.js';
import { defaults } from '../src/scenario/defaults.js';
import { immediateTiming, openingTime, pollTiming } from '../src/workloads/receive-timing.js';

function feed(tracker: SequenceTracker, seqs: number[]): { arrivals: Arrival[]; lost: number } {
  let lost = 0;
  const arrivals = seqs.map((seq) => {
    const arrival = tracker.see(seq);
    if (arrival === 'reordered') lost--;
    lost += tracker.skipped;
    return arrival;
  });
  return { arrivals, lost };
}

describe('sequence tracking', () => {
  test('in order: every event new, nothing lost', () => {
    const { arrivals, lost } = feed(new SequenceTracker(), [5, 6, 7, 8]);
    assert.deepEqual(arrivals, ['new', 'new', 'new', 'new']);
    assert.equal(lost, 0);
  });

  test('a gap counts lost; the missing event arriving later moves to reordered', () => {
    const tracker = new SequenceTracker();
    const { arrivals, lost } = feed(tracker, [1, 2, 5, 3, 6]);
    assert.deepEqual(arrivals, ['new', 'new', 'new', 'reordered', 'new']);
    assert.equal(lost, 1, '4 never came');
  });

  test('the same event twice is a duplicate, also when it fills nothing', () => {
    const { arrivals, lost } = feed(new SequenceTracker(), [1, 3, 2, 2, 3, 1]);
    assert.deepEqual(arrivals, ['new', 'new', 'reordered', 'duplicate', 'duplicate', 'duplicate']);
    assert.equal(lost, 0);
  });

  test('a gap filled from the middle keeps both sides missing', () => {
    const { arrivals, lost } = feed(new SequenceTracker(), [1, 10, 5, 2, 9, 5]);
    assert.deepEqual(arrivals, ['new', 'new', 'reordered', 'reordered', 'reordered', 'duplicate']);
    assert.equal(lost, 5, '3, 4, 6, 7, 8');
  });

  test('positioning counts nothing and continues after the position', () => {
    const tracker = new SequenceTracker();
    tracker.position(41);
    assert.equal(tracker.last, 41);
    const { arrivals, lost } = feed(tracker, [41, 42, 44]);
    assert.deepEqual(arrivals, ['duplicate', 'new', 'new']);
    assert.equal(lost, 1);
  });
});

describe('reading events', () => {
  test('the built-in shape: a list of { seq, publishedAt }', () => {
    const reader = eventReader(defaults.events);
    const { events, problem } = reader.response('[{"seq":1,"publishedAt":1700000000000.25},{"seq":2,"publishedAt":1700000000001}]');
    assert.equal(problem, undefined);
    assert.deepEqual(events, [
      { seq: 1, publishedAt: 1700000000000.25 },
      { seq: 2, publishedAt: 1700000000001 },
    ]);
  });

  test('configured fields: nested names, a wrapping object, ISO timestamps, string ids', () => {
    const reader = eventReader({ sequenceField: 'meta.id', timestampField: 'at', eventsField: 'items', sinceParam: 'after' });
    const { events, problem } = reader.response('{"items":[{"meta":{"id":"7"},"at":"2024-01-01T00:00:00.500Z"}]}');
    assert.equal(problem, undefined);
    assert.deepEqual(events, [{ seq: 7, publishedAt: Date.parse('2024-01-01T00:00:00.500Z') }]);
  });

  test('no timestamp field: events count, delivery is left out', () => {
    const reader = eventReader({ ...defaults.events, timestampField: '' });
    assert.deepEqual(reader.response('[{"seq":3,"publishedAt":5}]').events, [{ seq: 3, publishedAt: undefined }]);
  });

  test('problems are codes, never exceptions', () => {
    const reader = eventReader(defaults.events);
    assert.equal(reader.response('not json').problem, 'event_invalid_json');
    assert.equal(reader.response('{"seq":1}').problem, 'event_not_a_list');
    const partly = reader.response('[{"seq":1.5,"publishedAt":1},{"seq":2}]');
    assert.equal(partly.problem, 'event_bad_sequence');
    assert.deepEqual(partly.events, [{ seq: 2, publishedAt: undefined }], 'the readable event still counts');
    assert.deepEqual(reader.response('').events, [], 'an empty body is an empty response');
  });

  test('a WebSocket message is one event, a list, or a wrapper', () => {
    const reader = eventReader({ ...defaults.events, eventsField: 'batch' });
    assert.deepEqual(reader.message('{"seq":1,"publishedAt":2}').events, [{ seq: 1, publishedAt: 2 }]);
    assert.deepEqual(reader.message('[{"seq":1,"publishedAt":2}]').events, [{ seq: 1, publishedAt: 2 }]);
    assert.deepEqual(reader.message('{"batch":[{"seq":4,"publishedAt":2}]}').events, [{ seq: 4, publishedAt: 2 }]);
  });
});

test('poll paths: since appended, or put into a template', () => {
  assert.equal(pollPath('/poll', 'since', undefined), '/poll');
  assert.equal(pollPath('/poll', 'since', 12), '/poll?since=12');
  assert.equal(pollPath('/feed?room=a', 'after', 12), '/feed?room=a&after=12');
  assert.equal(pollPath('/rooms/a/events/{since}', 'since', 12), '/rooms/a/events/12');
  assert.equal(pollPath('/events?from={since}', 'since', undefined), '/events?from=');
});

test('response head bytes: the status line, each header line and the blank line', () => {
  const head = 'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n';
  const raw = ['content-type', 'application/json', 'content-length', '2'].map((text) => Buffer.from(text));
  assert.equal(responseHeadBytes(200, 'OK', raw), Buffer.byteLength(head));
});

describe('receive timing', () => {
  test('polls keep their schedule and skip ticks a slow answer missed', () => {
    const timing = pollTiming(1000, false, 0, 4, 10_000, defaults.reconnect);
    assert.equal(timing.firstAt, 10_000);
    assert.equal(timing.nextAt(10_002, true), 11_000);
    assert.equal(timing.nextAt(12_500, false), 13_000, 'answered after two ticks: the next tick, not a burst');
    assert.equal(timing.nextAt(13_001, true), 14_000);
  });

  test('a timer that fires early does not poll twice for one tick', () => {
    const timing = pollTiming(1000, false, 0, 1, 0, defaults.reconnect);
    assert.equal(timing.nextAt(0.5, true), 1000);
    // The poll for tick 1 went out at 999.2 (the timer ran early) and was answered at 999.6.
    assert.equal(timing.nextAt(999.6, true), 2000);
  });

  test('jitter spreads first polls evenly over one interval by global client index', () => {
    const firsts = [0, 1, 2, 3].map((client) => pollTiming(1000, true, client, 4, 0, defaults.reconnect).firstAt);
    assert.deepEqual(firsts, [0, 250, 500, 750]);
  });

  test('a poller opened later at connectRate starts at its first tick from then, in its own phase', () => {
    const timing = pollTiming(1000, true, 1, 4, 0, defaults.reconnect, openingTime(0, 10, 4));
    assert.equal(openingTime(0, 10, 4), 2500, 'the eleventh client at 4/s');
    assert.equal(timing.firstAt, 3250, 'its phase is 250 ms: the tick at 3250, not 2500');
    assert.equal(timing.nextAt(3260, true), 4250);
    assert.equal(openingTime(500, 9, 0), 500, 'connectRate 0: every client at the start');
  });

  test('long-poll asks again at once, and after failures in a row waits the reconnect backoff, growing, from the start again after an answer', () => {
    const timing = immediateTiming(0, { ...defaults.reconnect, backoff: 100, maxBackoff: 1000, jitter: false });
    assert.equal(timing.nextAt(500, true), 500);
    assert.deepEqual(
      [1, 2, 3, 4, 5].map(() => timing.nextAt(500, false) - 500),
      [100, 200, 400, 800, 1000],
    );
    assert.equal(timing.nextAt(500, true), 500);
    assert.equal(timing.nextAt(500, false), 600);
  });

  test('a failed poll waits its backoff and then the next tick', () => {
    const timing = pollTiming(100, false, 0, 1, 0, { ...defaults.reconnect, backoff: 150, maxBackoff: 10_000, jitter: false });
    assert.equal(timing.nextAt(10, false), 200, '150 ms backoff, then the tick at 200');
    assert.equal(timing.nextAt(200, false), 600, '300 ms backoff: the tick after 500, not the one at 300');
  });
});
