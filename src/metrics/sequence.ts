// One client's view of an event stream's sequence numbers: which events are new, which
// arrived late (after a later one), which again, and which were skipped. A skipped number
// counts as lost at once; if it turns up later it moves to reordered. Skipped numbers are
// kept as ranges, so a long outage costs one entry, not one per event.

export type Arrival = 'new' | 'reordered' | 'duplicate';

/**
 * Gap ranges kept per client. Past this many, the oldest stay lost for good and a very late
 * arrival from them is counted as a duplicate.
 */
const maxGaps = 10_000;

export class SequenceTracker {
  private highest: number | undefined;
  /** Sorted, disjoint [first, last] ranges of skipped numbers, all below `highest`. */
  private readonly gaps: [number, number][] = [];
  /** How many numbers the last `see` skipped (0 unless it returned 'new' past a gap). */
  skipped = 0;

  /** Places the client just after `seq` without counting anything: it joined there. */
  position(seq: number): void {
    this.highest = Math.max(this.highest ?? seq, seq);
  }

  get positioned(): boolean {
    return this.highest !== undefined;
  }

  /** The highest sequence number seen or positioned at. */
  get last(): number | undefined {
    return this.highest;
  }

  see(seq: number): Arrival {
    this.skipped = 0;
    const highest = this.highest;
    if (highest === undefined || seq > highest) {
      if (highest !== undefined && seq > highest + 1) {
        this.gaps.push([highest + 1, seq - 1]);
        if (this.gaps.length > maxGaps) this.gaps.shift();
        this.skipped = seq - highest - 1;
      }
      this.highest = seq;
      return 'new';
    }
    return this.fill(seq) ? 'reordered' : 'duplicate';
  }

  /** Takes `seq` out of the gap holding it; false when no gap holds it (seen already). */
  private fill(seq: number): boolean {
    let low = 0;
    let high = this.gaps.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const gap = this.gaps[middle]!;
      if (seq < gap[0]) high = middle - 1;
      else if (seq > gap[1]) low = middle + 1;
      else {
        const [first, last] = gap;
        if (first === last) this.gaps.splice(middle, 1);
        else if (seq === first) gap[0] = seq + 1;
        else if (seq === last) gap[1] = seq - 1;
        else this.gaps.splice(middle, 1, [first, seq - 1], [seq + 1, last]);
        return true;
      }
    }
    return false;
  }
}
