// The text/event-stream parser against the WHATWG EventSource rules, fed whole and cut at
// every byte, so no corner depends on how the network happened to split the stream.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sseParser, type ServerSentEvent } from '../src/protocols/sse-parser.js';

interface Parsed {
  events: ServerSentEvent[];
  retries: number[];
  problems: string[];
  lastEventId: string | undefined;
}

function parse(chunks: readonly Uint8Array[], maxEventSize = 1 << 20): Parsed {
  const parsed: Parsed = { events: [], retries: [], problems: [], lastEventId: undefined };
  const parser = sseParser(maxEventSize, {
    event: (event) => parsed.events.push(event),
    retry: (ms) => parsed.retries.push(ms),
    problem: (code) => parsed.problems.push(code),
  });
  for (const chunk of chunks) parser.push(chunk);
  parsed.lastEventId = parser.lastEventId;
  return parsed;
}

/** Parsed whole, and cut in two at every byte: all must agree. */
function parseEverySplit(text: string, maxEventSize?: number): Parsed {
  const bytes = Buffer.from(text, 'utf8');
  const whole = parse([bytes], maxEventSize);
  for (let cut = 1; cut < bytes.length; cut++) {
    assert.deepEqual(parse([bytes.subarray(0, cut), bytes.subarray(cut)], maxEventSize), whole, `cut at byte ${cut}`);
  }
  assert.deepEqual(
    parse(
      [...bytes].map((byte) => Uint8Array.of(byte)),
      maxEventSize,
    ),
    whole,
    'one byte at a time',
  );
  return whole;
}

test('fields, comments, multi-line data and the default type', () => {
  const { events, problems } = parseEverySplit(': hello\n\ndata: one\n\nevent: tick\ndata:two\ndata:  lines\nid: 7\n\n');
  assert.deepEqual(events, [
    { type: 'message', data: 'one', lastEventId: '' },
    { type: 'tick', data: 'two\n lines', lastEventId: '7' },
  ]);
  assert.deepEqual(problems, []);
});

test('LF, CRLF and CR line ends, a leading BOM, and UTF-8 cut mid-character', () => {
  const { events } = parseEverySplit('\uFEFFdata: a\r\n\r\ndata: b\r\rdata: c\n\ndata: é€😀\n\n');
  assert.deepEqual(
    events.map((event) => event.data),
    ['a', 'b', 'c', 'é€😀'],
  );
});

test('the id outlives its event, an id with NUL is ignored, and a stream that never dispatched keeps none', () => {
  const { events, lastEventId } = parseEverySplit('id: 1\ndata: a\n\ndata: b\n\nid: x\0y\ndata: c\n\nid\n\n');
  assert.deepEqual(
    events.map((event) => event.lastEventId),
    ['1', '1', '1'],
  );
  assert.equal(lastEventId, '', 'a bare `id` resets it');
  assert.equal(parse([Buffer.from(': only a comment\n')]).lastEventId, undefined);
});

test('no data, no event; the event in progress at the end of the stream is not dispatched', () => {
  const { events } = parseEverySplit('event: x\n\nid: 3\n\ndata: kept\n\ndata: cut off');
  assert.deepEqual(events, [{ type: 'message', data: 'kept', lastEventId: '3' }]);
});

test('retry of digits sets the reconnection time; anything else is a malformed line, as is an unknown field', () => {
  const { retries, problems, events } = parseEverySplit('retry: 2500\nretry: soon\nbogus: 1\ndata: still here\n\n');
  assert.deepEqual(retries, [2500]);
  assert.deepEqual(problems, ['sse_malformed_line', 'sse_malformed_line']);
  assert.equal(events.length, 1);
});

test('an event or a line past the size limit is skipped and reported, and the next one parses', () => {
  const { events, problems } = parseEverySplit(`data: ${'x'.repeat(40)}\n\ndata: ok\n\ndata: 1234567890\ndata: 1234567890\n\ndata: fine\n\n`, 20);
  assert.deepEqual(
    events.map((event) => event.data),
    ['ok', 'fine'],
  );
  assert.deepEqual(problems, ['sse_event_too_large', 'sse_event_too_large']);
});
