// HDR histograms to and from their compressed-base64 V2 form, byte for byte what
// hdr-histogram-js's encodeIntoCompressedBase64 writes and its decodeFromCompressedBase64
// reads, and the exact sum of two histograms. Written here rather than called there because
// the library's versions cost a whole process more than they should: loading its index loads
// pako, base64-js and a WebAssembly build in every thread (about 20 ms each), and its decode
// and add walk all 23,552 buckets of a histogram however few hold values, which the
// coordinator does for every metric of every snapshot, the first ones in the interpreter.
import { deflateSync, inflateSync } from 'node:zlib';
import type { Histogram } from 'hdr-histogram-js';
import Float64HistogramModule from 'hdr-histogram-js/dist/Float64Histogram.js';

const Float64Histogram = Float64HistogramModule.default;

/** The V2 cookies with the word-size nibble hdr-histogram-js writes (0x10: ZigZag LEB128 counts). */
const encodingCookie = 0x1c849303 | 0x10;
const compressedEncodingCookie = 0x1c849304 | 0x10;
const cookieBase = (cookie: number): number => cookie & ~0xf0;
const headerBytes = 40;

/** The buckets of hdr-histogram-js's Float64Histogram, and the tracking setters its own decode and add use. */
interface Buckets {
  _counts: Float64Array;
  countsArrayLength: number;
  bucketCount: number;
  subBucketCount: number;
  unitMagnitude: number;
  maxValue: number;
  minNonZeroValue: number;
  startTimeStampMsec: number;
  endTimeStampMsec: number;
  lowestDiscernibleValue: number;
  highestTrackableValue: number;
  numberOfSignificantValueDigits: number;
  setTotalCount(value: number): void;
  updatedMaxValue(value: number): void;
  updateMinNonZeroValue(value: number): void;
  countsArrayIndex(value: number): number;
  valueFromIndex(index: number): number;
  highestEquivalentValue(value: number): number;
}

const bucketsOf = (histogram: Histogram): Buckets => histogram as unknown as Buckets;

/** A plain-JS histogram with 64-bit buckets (what hdr-histogram-js's build makes for these settings, autoResize off). */
export function newHistogram(lowest: number, highest: number, digits: number): Histogram {
  return new Float64Histogram(lowest, highest, digits);
}

class Writer {
  bytes = new Uint8Array(256);
  length = 0;

  private room(needed: number): void {
    if (this.length + needed <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + needed));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }

  int32(value: number, at = this.length): void {
    if (at === this.length) this.room(4);
    const unsigned = value >>> 0;
    this.bytes[at] = unsigned >>> 24;
    this.bytes[at + 1] = (unsigned >>> 16) & 0xff;
    this.bytes[at + 2] = (unsigned >>> 8) & 0xff;
    this.bytes[at + 3] = unsigned & 0xff;
    if (at === this.length) this.length += 4;
  }

  int64(value: number): void {
    this.int32(Math.floor(value / 2 ** 32));
    this.int32(value);
  }

  /** ZigZag LEB128 in the 9-byte 64-bit variant, as hdr-histogram-js's ZigZagEncoding writes it. */
  zigZag(signed: number): void {
    this.room(9);
    let value = signed >= 0 ? signed * 2 : -signed * 2 - 1;
    for (let byte = 0; byte < 8; byte++) {
      if (value < 0x80) {
        this.bytes[this.length++] = value;
        return;
      }
      this.bytes[this.length++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    this.bytes[this.length++] = value;
  }
}

export function encodeHistogram(histogram: Histogram): string {
  const buckets = bucketsOf(histogram);
  const counts = buckets._counts;
  const writer = new Writer();
  writer.int32(encodingCookie);
  writer.int32(0);
  writer.int32(1);
  writer.int32(buckets.numberOfSignificantValueDigits);
  writer.int64(buckets.lowestDiscernibleValue);
  writer.int64(buckets.highestTrackableValue);
  writer.int64(1);
  const limit = buckets.countsArrayIndex(buckets.maxValue) + 1;
  let index = 0;
  while (index < limit) {
    const count = counts[index++]!;
    if (count < 0) throw new Error(`Cannot encode histogram containing negative counts (${count}) at index ${index}`);
    if (count !== 0) {
      writer.zigZag(count);
      continue;
    }
    let zeros = 1;
    while (index < limit && counts[index] === 0) {
      zeros++;
      index++;
    }
    writer.zigZag(zeros > 1 ? -zeros : 0);
  }
  writer.int32(writer.length - headerBytes, 4);
  const compressed = deflateSync(writer.bytes.subarray(0, writer.length));
  const framed = Buffer.allocUnsafe(8 + compressed.length);
  framed.writeInt32BE(compressedEncodingCookie | 0, 0);
  framed.writeInt32BE(compressed.length, 4);
  compressed.copy(framed, 8);
  return framed.toString('base64');
}

/** Reads one ZigZag LEB128 word at `at` as hdr-histogram-js's ZigZagEncoding does; returns the value and the next position. */
function readZigZag(bytes: Uint8Array, at: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (let byte = 0; byte < 9; byte++) {
    const next = bytes[at++];
    if (next === undefined) throw new Error('The encoded histogram ends inside a count');
    value += (next & 0x7f) * scale;
    if ((next & 0x80) === 0) break;
    scale *= 0x80;
  }
  return [value % 2 === 0 ? value / 2 : -(value + 1) / 2, at];
}

/** An encoded histogram read as its non-zero buckets, without building the 23,552-bucket array. */
export interface EncodedCounts {
  lowest: number;
  highest: number;
  digits: number;
  /** Bucket indexes in increasing order, and the count at each (every count above 0). */
  indexes: number[];
  counts: number[];
  total: number;
}

export function readEncodedCounts(encoded: string): EncodedCounts {
  const framed = Buffer.from(encoded.trim(), 'base64');
  if (framed.length < 8 || cookieBase(framed.readInt32BE(0)) !== 0x1c849304) throw new Error('Encoding not supported, only V2 is supported');
  const data = inflateSync(framed.subarray(8, 8 + framed.readInt32BE(4)));
  if (data.length < headerBytes || cookieBase(data.readInt32BE(0)) !== 0x1c849303) {
    throw new Error('The buffer does not contain a Histogram (no valid V2 encoding cookie found)');
  }
  const payloadLength = data.readInt32BE(4);
  const read: EncodedCounts = {
    digits: data.readInt32BE(12),
    lowest: data.readUInt32BE(16) * 2 ** 32 + data.readUInt32BE(20),
    highest: data.readUInt32BE(24) * 2 ** 32 + data.readUInt32BE(28),
    indexes: [],
    counts: [],
    total: 0,
  };
  const end = headerBytes + payloadLength;
  let at = headerBytes;
  let index = 0;
  while (at < end) {
    const [count, next] = readZigZag(data, at);
    at = next;
    if (count < 0) {
      index -= count;
      continue;
    }
    if (count > 0) {
      read.indexes.push(index);
      read.counts.push(count);
      read.total += count;
    }
    index++;
  }
  return read;
}

/** Puts the counts into an empty histogram of their layout and sets its total, max and min as the library's decode does. */
function fill(histogram: Histogram, read: EncodedCounts): void {
  const buckets = bucketsOf(histogram);
  const counts = buckets._counts;
  const { indexes } = read;
  for (let at = 0; at < indexes.length; at++) {
    const index = indexes[at]!;
    if (index >= counts.length) throw new Error(`The encoded histogram has counts beyond its ${counts.length} buckets`);
    counts[index] = read.counts[at]!;
  }
  // What the library's establishInternalTackingValues sets, whether or not values follow.
  buckets.maxValue = 0;
  buckets.minNonZeroValue = Number.MAX_VALUE;
  const maxIndex = indexes.at(-1);
  const minNonZeroIndex = indexes[0] === 0 ? indexes[1] : indexes[0];
  if (maxIndex !== undefined) buckets.updatedMaxValue(buckets.highestEquivalentValue(buckets.valueFromIndex(maxIndex)));
  if (minNonZeroIndex !== undefined) buckets.updateMinNonZeroValue(buckets.valueFromIndex(minNonZeroIndex));
  buckets.setTotalCount(read.total);
}

/** The histogram an encoded one holds, with the tracking values hdr-histogram-js's decode gives it. */
export function decodeHistogram(encoded: string): Histogram {
  return histogramOf(readEncodedCounts(encoded));
}

function histogramOf(read: EncodedCounts): Histogram {
  const histogram = newHistogram(read.lowest, read.highest, read.digits);
  fill(histogram, read);
  return histogram;
}

/**
 * Adds read counts into `into`: exactly what adding their decoded histogram does, without
 * building it (a snapshot's histograms go into the step's totals and into an interval).
 */
export function addEncodedCounts(into: Histogram, read: EncodedCounts): void {
  const target = bucketsOf(into);
  if (target.lowestDiscernibleValue !== read.lowest || target.highestTrackableValue !== read.highest || target.numberOfSignificantValueDigits !== read.digits) {
    addHistogram(into, histogramOf(read));
    return;
  }
  const counts = target._counts;
  const { indexes } = read;
  for (let at = 0; at < indexes.length; at++) {
    const index = indexes[at]!;
    if (index >= counts.length) throw new Error(`The encoded histogram has counts beyond its ${counts.length} buckets`);
    counts[index] = counts[index]! + read.counts[at]!;
  }
  target.setTotalCount(into.totalCount + read.total);
  const maxIndex = indexes.at(-1);
  const minNonZeroIndex = indexes[0] === 0 ? indexes[1] : indexes[0];
  const maxValue = maxIndex === undefined ? 0 : target.highestEquivalentValue(target.valueFromIndex(maxIndex));
  const minNonZeroValue = minNonZeroIndex === undefined ? Number.MAX_VALUE : target.valueFromIndex(minNonZeroIndex);
  target.updatedMaxValue(Math.max(target.maxValue, maxValue));
  target.updateMinNonZeroValue(Math.min(target.minNonZeroValue, minNonZeroValue));
}

/**
 * Adds `from` into `into`, as hdr-histogram-js's add does, walking only the buckets up to
 * from's largest value (every count lies at or below it: the library's own encoder stops
 * there too). Histograms of another layout are left to the library.
 */
export function addHistogram(into: Histogram, from: Histogram): void {
  const target = bucketsOf(into);
  const source = bucketsOf(from);
  if (target.bucketCount !== source.bucketCount || target.subBucketCount !== source.subBucketCount || target.unitMagnitude !== source.unitMagnitude) {
    into.add(from);
    return;
  }
  const targetCounts = target._counts;
  const sourceCounts = source._counts;
  const limit = from.totalCount === 0 ? 0 : Math.min(source.countsArrayIndex(source.maxValue) + 1, sourceCounts.length);
  let added = 0;
  for (let index = 0; index < limit; index++) {
    const count = sourceCounts[index]!;
    if (count > 0) {
      targetCounts[index] = targetCounts[index]! + count;
      added += count;
    }
  }
  target.setTotalCount(into.totalCount + added);
  target.updatedMaxValue(Math.max(target.maxValue, source.maxValue));
  target.updateMinNonZeroValue(Math.min(target.minNonZeroValue, source.minNonZeroValue));
  target.startTimeStampMsec = Math.min(target.startTimeStampMsec, source.startTimeStampMsec);
  target.endTimeStampMsec = Math.max(target.endTimeStampMsec, source.endTimeStampMsec);
}
