// Reads events out of a target's JSON, wherever the scenario's `events` section says they
// are, so the same drivers work against the built-in target and someone else's server.
// A malformed body is a counted problem (a stable code), never an exception.
import type { EventSettings } from '../scenario/protocol-settings.js';

export interface ReceivedEvent {
  seq: number;
  /** Epoch ms the target stamped on the event; undefined when it carries no publish time. */
  publishedAt: number | undefined;
}

export interface ReadResult {
  events: ReceivedEvent[];
  /** The first thing wrong with the body, as an error code; the readable events still count. */
  problem: string | undefined;
}

export interface EventReader {
  /** A poll or long-poll response body: the list of events (or `eventsField` of an object). */
  response(body: string): ReadResult;
  /** A pushed WebSocket message: one event, a list of them, or an object holding `eventsField`. */
  message(text: string): ReadResult;
  /** The publish time in a JSON text (timestampField), undefined when there is none or it is not JSON. */
  timestamp(text: string): number | undefined;
}

type Path = readonly string[];

export function eventReader(settings: EventSettings): EventReader {
  const seqPath = settings.sequenceField.split('.');
  const timePath = settings.timestampField === '' ? undefined : settings.timestampField.split('.');
  const listPath = settings.eventsField === '' ? undefined : settings.eventsField.split('.');

  const readList = (items: unknown[]): ReadResult => {
    const events: ReceivedEvent[] = [];
    let problem: string | undefined;
    for (const item of items) {
      const seq = sequenceOf(fieldAt(item, seqPath));
      if (seq === undefined) {
        problem ??= 'event_bad_sequence';
        continue;
      }
      let publishedAt: number | undefined;
      if (timePath) {
        publishedAt = timestampOf(fieldAt(item, timePath));
        if (publishedAt === undefined) problem ??= 'event_bad_timestamp';
      }
      events.push({ seq, publishedAt });
    }
    return { events, problem };
  };

  return {
    response(body) {
      // 204-style "nothing new" answers with no body at all.
      if (body.trim() === '') return { events: [], problem: undefined };
      const parsed = parseJson(body);
      if (parsed === invalid) return { events: [], problem: 'event_invalid_json' };
      const list = listPath ? fieldAt(parsed, listPath) : parsed;
      return Array.isArray(list) ? readList(list) : { events: [], problem: 'event_not_a_list' };
    },
    message(text) {
      const parsed = parseJson(text);
      if (parsed === invalid) return { events: [], problem: 'event_invalid_json' };
      if (Array.isArray(parsed)) return readList(parsed);
      const list = listPath ? fieldAt(parsed, listPath) : undefined;
      return readList(Array.isArray(list) ? list : [parsed]);
    },
    timestamp(text) {
      if (!timePath) return undefined;
      const parsed = parseJson(text);
      return parsed === invalid ? undefined : timestampOf(fieldAt(parsed, timePath));
    },
  };
}

const invalid = Symbol('invalid');

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return invalid;
  }
}

export function fieldAt(value: unknown, path: Path): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** A whole number, or a string of digits (some servers send 64-bit ids as text). */
export function sequenceOf(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) ? n : undefined;
}

/** Epoch milliseconds as a number, or an ISO 8601 date-time string. */
export function timestampOf(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}
