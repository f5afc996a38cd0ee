// Pings many held connections from one timer: a wheel of buckets, one bucket's turn per
// tick, so each connection is pinged once per period, and connections opened at different
// times stay spread over the period rather than pinging in one burst. What a tick costs is
// the pings it sends, never a scan of every connection.

const bucketCount = 16;

export class PingWheel<T> {
  private readonly buckets: Set<T>[] = Array.from({ length: bucketCount }, () => new Set<T>());
  private turn = 0;
  private size = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly periodMs: number,
    private readonly ping: (item: T) => void,
  ) {}

  /** The first ping comes about one period from now. */
  add(item: T): void {
    // The bucket that was just served waits longest for its next turn: a whole period.
    this.buckets[(this.turn + bucketCount - 1) % bucketCount]!.add(item);
    this.size++;
    if (!this.timer) {
      this.timer = setInterval(() => this.tick(), this.periodMs / bucketCount);
      // The connections keep the thread alive, not their pings.
      this.timer.unref();
    }
  }

  remove(item: T): void {
    for (const bucket of this.buckets) {
      if (bucket.delete(item)) {
        this.size--;
        break;
      }
    }
    if (this.size === 0) this.stop();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    const bucket = this.buckets[this.turn]!;
    this.turn = (this.turn + 1) % bucketCount;
    for (const item of bucket) this.ping(item);
  }
}
