// Where a worker records values between two snapshots: the very buckets of sockcap's HDR
// histograms (1 µs to 1 hour, 3 significant digits), found with integer arithmetic.
// hdr-histogram-js finds a value's bucket with Math.log2 and two Math.pow calls, a few
// percent of a worker's CPU at 100k+ messages per second. At a snapshot the counts are
// copied into an HDR histogram, which then encodes exactly as if it had recorded every value.
import { clampMicros, highestMicros, type Histogram } from './histogram.js';

/** 3 significant digits: 2048 sub-buckets, the lower half of each bucket shared with the one below. */
const subBucketHalfCountMagnitude = 10;
const subBucketHalfCount = 1 << subBucketHalfCountMagnitude;

/**
 * Bucket 0 holds 0..2047 one by one; each bucket above doubles the step. Values up to
 * 1 hour fit in 32 bits, so clz32 and >>> are exact here.
 */
function indexOf(value: number): number {
  const bucket = Math.max(31 - subBucketHalfCountMagnitude - Math.clz32(value), 0);
  return bucket * subBucketHalfCount + (value >>> bucket);
}

const countsLength = indexOf(highestMicros) + 1;

export class HistogramBins {
  private readonly counts = new Float64Array(countsLength);
  private lowestIndex = countsLength;
  private highestIndex = -1;
  count = 0;

  /** Records a duration in microseconds, clamped to 0..1 hour and rounded to whole microseconds. */
  record(micros: number): void {
    const index = indexOf(clampMicros(micros));
    this.counts[index]!++;
    this.count++;
    if (index < this.lowestIndex) this.lowestIndex = index;
    if (index > this.highestIndex) this.highestIndex = index;
  }

  /** Adds every count into `histogram` (built by createHistogram) and empties the bins. */
  moveInto(histogram: Histogram): void {
    for (let index = this.lowestIndex; index <= this.highestIndex; index++) {
      const count = this.counts[index]!;
      if (count === 0) continue;
      histogram.recordValueWithCount(valueAt(index), count);
      this.counts[index] = 0;
    }
    this.count = 0;
    this.lowestIndex = countsLength;
    this.highestIndex = -1;
  }
}

/** The lowest value of the bucket at `index`, which the HDR histogram maps back to the same index. */
function valueAt(index: number): number {
  let bucket = (index >> subBucketHalfCountMagnitude) - 1;
  let subBucket = (index & (subBucketHalfCount - 1)) + subBucketHalfCount;
  if (bucket < 0) {
    subBucket -= subBucketHalfCount;
    bucket = 0;
  }
  return subBucket * 2 ** bucket;
}
