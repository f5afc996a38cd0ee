// How far another host's clock is from this one's, NTP-style: ask for its time several
// times, take each answer as read at the middle of its round trip, and keep the sample with
// the shortest round trip (the least room for asymmetric delays). Its half round trip bounds
// the error of the estimate.
import { now } from './clock.js';

export interface ClockOffset {
  /** The other host's clock minus this one's, in ms: positive when it runs ahead. */
  offsetMs: number;
  /** Half the best round trip: the true offset lies within offsetMs ± this. */
  uncertaintyMs: number;
  /** Round trips that answered, of those tried. */
  samples: number;
  /** The time endpoint asked. */
  source: string;
}

/** Round trips tried: more narrow the best one down, each costs one request. */
const attempts = 8;
const timeoutMs = 2000;

/**
 * Measures against `url` (sockcap agent's /time, answering `{"epochMs": …}`); undefined when
 * no round trip answered, with why.
 */
export async function measureClockOffset(url: string, token: string | undefined): Promise<ClockOffset | { failure: string }> {
  const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
  let best: { offset: number; rtt: number } | undefined;
  let answered = 0;
  let failure = 'no answer';
  for (let attempt = 0; attempt < attempts; attempt++) {
    try {
      const sentAt = now();
      const response = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
      const body = (await response.json()) as { epochMs?: unknown };
      const receivedAt = now();
      if (!response.ok || typeof body.epochMs !== 'number') {
        failure = `${url} answered ${response.status} without a time`;
        continue;
      }
      answered++;
      const rtt = receivedAt - sentAt;
      if (!best || rtt < best.rtt) best = { offset: body.epochMs - (sentAt + receivedAt) / 2, rtt };
    } catch (error) {
      failure = `${url}: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  if (!best) return { failure };
  return { offsetMs: best.offset, uncertaintyMs: best.rtt / 2, samples: answered, source: url };
}
