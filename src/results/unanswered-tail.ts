// The end of a step in which nothing succeeded but errors came: a target that died. Fed the
// measured intervals in order, by the run as they close and by `sockcap merge` from the
// merged intervals, so a merged run is judged on the same facts as a single one.
import type { Counters } from '../metrics/counters.js';

export interface UnansweredTail {
  seconds: number;
  errors: number;
}

export class UnansweredTailTracker {
  /** Since when (seconds, on the caller's clock) the intervals had errors and no success; undefined once one succeeded. */
  private since: number | undefined;
  private errors = 0;
  private lastEnd = 0;

  constructor(
    /** What shows in an interval that the target answered (`answeredIn`, results/default-verdict.ts). */
    private readonly answered: (counters: Counters, held: number) => number,
  ) {}

  /** A measured interval from `startS` to `endS`, with the connections (or clients) held at its end. */
  add(startS: number, endS: number, counters: Counters, held: number): void {
    this.lastEnd = Math.max(this.lastEnd, endS);
    // An interval with neither (a hold between reconnects) changes nothing.
    if (this.answered(counters, held) > 0) {
      this.since = undefined;
      this.errors = 0;
    } else if (counters.errors > 0) {
      this.since ??= startS;
      this.errors += counters.errors;
    }
  }

  get tail(): UnansweredTail | undefined {
    return this.since === undefined ? undefined : { seconds: this.lastEnd - this.since, errors: this.errors };
  }
}
