// The built-in target's event stream, spoken to directly: /poll, /longpoll and WebSocket
// /events serve the same events, and a long-poll holds until there is one or times out.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import WebSocket from 'ws';
import { defaults } from '../src/scenario/defaults.js';
import type { ServerSettings } from '../src/scenario/types.js';
import { startTarget } from '../src/target/server.js';

interface Event {
  seq: number;
  publishedAt: number;
  data: string;
}

const epochMs = (): number => performance.timeOrigin + performance.now();

async function getEvents(url: string): Promise<{ events: Event[]; ms: number }> {
  const started = performance.now();
  const res = await fetch(url);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/json');
  return { events: (await res.json()) as Event[], ms: performance.now() - started };
}

function settings(changes: Partial<ServerSettings>): ServerSettings {
  return { ...defaults.server, ...changes };
}

test('poll, long-poll and WebSocket subscribers see the same events', async () => {
  const target = await startTarget({ settings: settings({ eventRate: 50, eventSize: 8 }) });
  try {
    const ws = new WebSocket(`${target.url.replace('http', 'ws')}/events`);
    await once(ws, 'open');
    const pushed: string[] = [];
    ws.on('message', (data: WebSocket.RawData) => pushed.push((data as Buffer).toString()));
    while (pushed.length < 5) await new Promise((resolve) => setTimeout(resolve, 20));
    ws.close();

    const first = JSON.parse(pushed[0]!) as Event;
    assert.equal(first.data, 'x'.repeat(8));
    assert.ok(Math.abs(epochMs() - first.publishedAt) < 1000, 'publishedAt is epoch ms on this clock');
    const polled = await getEvents(`${target.url}/poll?since=${first.seq - 1}`);
    assert.deepEqual(
      polled.events.slice(0, 5),
      pushed.slice(0, 5).map((text) => JSON.parse(text) as Event),
    );
    const seqs = polled.events.map((event) => event.seq);
    assert.deepEqual(
      seqs,
      seqs.map((_, i) => first.seq + i),
      'consecutive, from since + 1',
    );

    const newest = await getEvents(`${target.url}/poll`);
    assert.equal(newest.events.length, 1, 'a client without since gets where the stream stands');

    const latest = polled.events.at(-1)!.seq;
    const held = await getEvents(`${target.url}/longpoll?since=${latest + 5}`);
    assert.ok(held.events.length > 0 && held.events[0]!.seq > latest);
    assert.ok(target.stats().eventsPublished >= latest);
    assert.ok(target.stats().eventsSent > 0);
  } finally {
    await target.close();
  }
});

test('a long-poll holds until the next event, or answers [] at longPollTimeout', async () => {
  const quiet = await startTarget({ settings: settings({ eventRate: 0, longPollTimeout: 300 }) });
  try {
    const { events, ms } = await getEvents(`${quiet.url}/longpoll?since=0`);
    assert.deepEqual(events, []);
    assert.ok(ms >= 280 && ms < 1000, `held ${ms.toFixed(0)} ms`);
    assert.equal(quiet.stats().longPollTimeouts, 1);
    assert.deepEqual((await getEvents(`${quiet.url}/poll?since=0`)).events, [], 'poll answers at once, empty');
  } finally {
    await quiet.close();
  }

  const slow = await startTarget({ settings: settings({ eventRate: 2 }) });
  try {
    const { events } = await getEvents(`${slow.url}/longpoll`);
    const started = performance.now();
    const next = await getEvents(`${slow.url}/longpoll?since=${events[0]!.seq}`);
    const heldMs = performance.now() - started;
    assert.equal(next.events[0]!.seq, events[0]!.seq + 1);
    assert.ok(heldMs > 300, `held until the next event, ${heldMs.toFixed(0)} ms`);
    assert.ok(epochMs() - next.events[0]!.publishedAt < 50, 'answered as soon as it was published');
  } finally {
    await slow.close();
  }
});
