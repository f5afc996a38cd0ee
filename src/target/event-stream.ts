// The built-in target's event stream: one publisher, and three ways to receive what it
// publishes, all fed from the same events. `GET /poll?since=<seq>` answers at once with the
// events after `seq` (often none); `GET /longpoll?since=<seq>` holds the request until there
// is one or `longPollTimeout` passes; a WebSocket on /events gets every event pushed as it is
// published. Each event is `{"seq":N,"publishedAt":<epoch ms>,"data":"…"}`, serialised once.
// Without `since` a client is new: both answer at once with the newest event, so it learns
// where the stream stands (a long-poll waits only while nothing was ever published). The
// first event goes out as publishing starts, so clients always find a position to start
// from and every transport counts the same events from there, even at 0.1 events/s.
// `GET /sse` is a text/event-stream: a `retry` hint first, then every event published from
// then on as `id: <seq>` and `data: <the event's JSON>`; a client that reconnects with
// `Last-Event-ID: <seq>` first gets the events after that seq still kept, so a resume
// loses nothing the ring holds.
import { requestUrl } from './request-url.js';
import type http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { WebSocket } from 'ws';
import type { ServerSettings } from '../scenario/types.js';
import type { EventStreamStats } from '../results/target-stats.js';

export const pollPath = '/poll';
export const longPollPath = '/longpoll';
export const subscribePath = '/events';
export const ssePath = '/sse';
/** The reconnection time /sse asks of its clients (`retry:`), in ms. */
export const sseRetryMs = 1000;

/** The ring keeps about this long of the stream, so a slow poller can catch up. */
const keptMs = 60_000;
const minKept = 1024;
const maxKept = 1_000_000;

interface Waiter {
  since: number | undefined;
  res: http.ServerResponse;
  timer: NodeJS.Timeout;
}

export class EventStream {
  private readonly ring: string[] = [];
  /** Sequence number of ring[0]; events are numbered from 1. */
  private firstSeq = 1;
  private latestSeq = 0;
  private readonly capacity: number;
  private readonly filler: string;
  private readonly waiters = new Set<Waiter>();
  private readonly subscribers = new Set<WebSocket>();
  private readonly sseClients = new Set<http.ServerResponse>();
  /** Response bodies by `since`, valid until the next publish: many clients ask the same. */
  private readonly bodies = new Map<number | undefined, { body: Buffer; events: number }>();
  private readonly counts: EventStreamStats = { eventsPublished: 0, eventsSent: 0, longPollTimeouts: 0 };
  private timer: NodeJS.Timeout | undefined;
  private readonly publishListeners: ((fresh: readonly string[]) => void)[] = [];
  private closed = false;

  constructor(private readonly settings: ServerSettings) {
    this.capacity = Math.min(maxKept, Math.max(minKept, Math.ceil((settings.eventRate * keptMs) / 1000)));
    this.filler = 'x'.repeat(settings.eventSize);
  }

  /** Starts publishing, when the settings ask for a rate. */
  start(): void {
    if (this.settings.eventRate <= 0) return;
    const periodMs = (1000 * this.settings.eventBurst) / this.settings.eventRate;
    const startedAt = performance.now();
    this.publish(this.settings.eventBurst);
    let publishes = 0;
    // Due times come from the count alone, so a late timer never slows the stream down.
    const tick = (): void => {
      if (this.closed) return;
      while (startedAt + (publishes + 1) * periodMs <= performance.now()) {
        publishes++;
        this.publish(this.settings.eventBurst);
      }
      this.timer = setTimeout(tick, Math.max(0, startedAt + (publishes + 1) * periodMs - performance.now()));
    };
    this.timer = setTimeout(tick, periodMs);
  }

  stats(): EventStreamStats {
    return { ...this.counts };
  }

  /** Answers /poll and /longpoll; false for any other request. */
  handle(req: http.IncomingMessage, res: http.ServerResponse): boolean {
    // Every request of an HTTP benchmark passes here: a prefix check costs it next to nothing.
    const raw = req.url ?? '/';
    if (raw.startsWith(ssePath) && requestUrl(raw)?.pathname === ssePath) {
      this.streamTo(req, res);
      return true;
    }
    if (!raw.startsWith(pollPath) && !raw.startsWith(longPollPath)) return false;
    const url = requestUrl(raw);
    if (url === undefined || (url.pathname !== pollPath && url.pathname !== longPollPath)) return false;
    req.resume();
    const since = parseSince(url.searchParams.get('since'));
    if (url.pathname === pollPath) {
      this.respond(res, since);
      return true;
    }
    if (since === undefined ? this.latestSeq > 0 : since < this.latestSeq) {
      this.respond(res, since);
      return true;
    }
    const waiter: Waiter = {
      since,
      res,
      timer: setTimeout(() => {
        this.waiters.delete(waiter);
        this.counts.longPollTimeouts++;
        this.respond(res, this.latestSeq);
      }, this.settings.longPollTimeout),
    };
    this.waiters.add(waiter);
    res.once('close', () => {
      clearTimeout(waiter.timer);
      this.waiters.delete(waiter);
    });
    return true;
  }

  /** Hands every publish's new events (their JSON) to `listener`: the Socket.IO server's feed. */
  onPublish(listener: (fresh: readonly string[]) => void): void {
    this.publishListeners.push(listener);
  }

  /** Pushes every event published from now on to `ws`. */
  subscribe(ws: WebSocket): void {
    this.subscribers.add(ws);
    ws.once('close', () => this.subscribers.delete(ws));
  }

  /** Opens an event stream on `res`, resuming after `Last-Event-ID` when the client sends one. */
  private streamTo(req: http.IncomingMessage, res: http.ServerResponse): void {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const resumeAfter = parseSince(header(req.headers['last-event-id']));
    const missed = resumeAfter === undefined ? [] : this.after(resumeAfter);
    this.counts.eventsSent += missed.length;
    res.write(`retry: ${sseRetryMs}\n\n${this.sseFrames(missed, resumeAfter === undefined ? 0 : Math.max(resumeAfter + 1, this.firstSeq))}`);
    this.sseClients.add(res);
    res.once('close', () => this.sseClients.delete(res));
  }

  /** `events` as SSE frames, the first numbered `firstSeq`. */
  private sseFrames(events: readonly string[], firstSeq: number): string {
    return events.map((event, i) => `id: ${firstSeq + i}\ndata: ${event}\n\n`).join('');
  }

  close(): void {
    this.closed = true;
    for (const res of this.sseClients) res.destroy();
    this.sseClients.clear();
    clearTimeout(this.timer);
    for (const waiter of this.waiters) clearTimeout(waiter.timer);
    this.waiters.clear();
  }

  private publish(count: number): void {
    const before = this.latestSeq;
    const fresh: string[] = [];
    for (let i = 0; i < count; i++) {
      const seq = ++this.latestSeq;
      const publishedAt = performance.timeOrigin + performance.now();
      const event = `{"seq":${seq},"publishedAt":${publishedAt},"data":"${this.filler}"}`;
      fresh.push(event);
      this.ring.push(event);
    }
    if (this.ring.length > this.capacity) {
      const dropped = this.ring.length - this.capacity;
      this.ring.splice(0, dropped);
      this.firstSeq += dropped;
    }
    this.counts.eventsPublished += count;
    this.bodies.clear();

    for (const waiter of this.waiters) {
      // A client ahead of the stream (it saw numbers this target has not reached) waits on.
      if (waiter.since !== undefined && waiter.since >= this.latestSeq) continue;
      clearTimeout(waiter.timer);
      this.waiters.delete(waiter);
      this.respond(waiter.res, waiter.since ?? before);
    }
    for (const ws of this.subscribers) {
      if (ws.readyState !== ws.OPEN) continue;
      for (const event of fresh) ws.send(event);
      this.counts.eventsSent += fresh.length;
    }
    for (const listener of this.publishListeners) listener(fresh);
    if (this.sseClients.size > 0) {
      const frames = this.sseFrames(fresh, before + 1);
      for (const res of this.sseClients) res.write(frames);
      this.counts.eventsSent += fresh.length * this.sseClients.size;
    }
  }

  private respond(res: http.ServerResponse, since: number | undefined): void {
    let cached = this.bodies.get(since);
    if (!cached) {
      const events = this.after(since);
      cached = { body: Buffer.from(`[${events.join(',')}]`), events: events.length };
      this.bodies.set(since, cached);
    }
    this.counts.eventsSent += cached.events;
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(cached.body.length) });
    res.end(cached.body);
  }

  /** Events after `since`; for a new client (no `since`), the newest one. */
  private after(since: number | undefined): string[] {
    if (since === undefined) return this.ring.slice(-1);
    const from = Math.max(since + 1, this.firstSeq);
    return from > this.latestSeq ? [] : this.ring.slice(from - this.firstSeq);
  }
}

function header(value: string | string[] | undefined): string | null {
  return typeof value === 'string' ? value : null;
}

/** A non-negative whole number, or undefined (absent, empty or not a number: a new client). */
function parseSince(value: string | null): number | undefined {
  if (value === null || !/^\d+$/.test(value)) return undefined;
  return Number(value);
}
