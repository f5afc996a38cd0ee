import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as hdr from 'hdr-histogram-js';
import {
  addEncodedCounts,
  addHistogram,
  createHistogram,
  decodeHistogram,
  encodeHistogram,
  percentileDistribution,
  percentileFraction,
  clampMicros,
  highestMicros,
  microsToMillis,
  readEncodedCounts,
  type Histogram,
  summarize,
} from '../src/metrics/histogram.js';
import { HistogramBins } from '../src/metrics/histogram-bins.js';

function recordMicros(histogram: Histogram, micros: number): void {
  histogram.recordValue(clampMicros(micros));
}

// A deterministic, skewed sample: mostly fast values, a slow tail, a few outliers.
function sample(count: number, seed: number): number[] {
  let state = seed;
  const next = (): number => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  return Array.from({ length: count }, () => {
    const r = next();
    if (r < 0.001) return 1_000_000 + next() * 2_000_000;
    if (r < 0.05) return 20_000 + next() * 80_000;
    return 100 + next() * 5_000;
  });
}

test('merged worker histograms give exactly the percentiles of one histogram fed every value', () => {
  const parts = [sample(20_000, 1), sample(5_000, 2), sample(50_000, 3), sample(1, 4)];
  const single = createHistogram();
  const merged = createHistogram();
  for (const part of parts) {
    const worker = createHistogram();
    for (const value of part) {
      recordMicros(worker, value);
      recordMicros(single, value);
    }
    merged.add(decodeHistogram(encodeHistogram(worker)));
  }
  assert.equal(merged.totalCount, single.totalCount);
  for (const percentile of [0, 1, 25, 50, 75, 90, 99, 99.9, 99.99, 100]) {
    assert.equal(merged.getValueAtPercentile(percentile), single.getValueAtPercentile(percentile), `p${percentile}`);
  }
  // Encoding keeps counts per bucket, so a histogram that crossed a port knows its max to
  // the bucket's resolution: the top of the bucket the true max fell in (what p100 reports).
  assert.equal(merged.maxValue, single.getValueAtPercentile(100));
  assert.ok(Math.abs(merged.maxValue - single.maxValue) / single.maxValue < 0.001);
  assert.deepEqual(percentileDistribution(merged), percentileDistribution(single));
});

test('encoding round-trips counts, compared decoded (re-encoding is not byte-identical)', () => {
  const histogram = createHistogram();
  for (const value of sample(10_000, 9)) recordMicros(histogram, value);
  const decoded = decodeHistogram(encodeHistogram(histogram));
  assert.equal(decoded.totalCount, histogram.totalCount);
  const { max: decodedMax, ...decodedRest } = summarize(decoded);
  const { max, ...rest } = summarize(histogram);
  assert.deepEqual(decodedRest, rest);
  // The max survives to the resolution of its bucket (3 significant digits).
  assert.ok(decodedMax !== undefined && max !== undefined && Math.abs(decodedMax - max) / max < 0.001, `${decodedMax} vs ${max}`);
});

test('values are clamped to 1 hour and summaries are in milliseconds', () => {
  const histogram = createHistogram();
  recordMicros(histogram, 10 * 3_600_000_000);
  recordMicros(histogram, -5);
  recordMicros(histogram, 2500);
  const summary = summarize(histogram);
  assert.equal(summary.count, 3);
  assert.ok(Math.abs((summary.max ?? NaN) - 3_600_000) / 3_600_000 < 0.001);
  assert.ok(Math.abs((summary.p50 ?? NaN) - 2.5) < 0.01);
  // Nothing recorded is not 0 ms: every figure is undefined (an empty cell, `-` on the console).
  const nothing = undefined;
  assert.deepEqual(summarize(undefined), { count: 0, p50: nothing, p90: nothing, p99: nothing, p999: nothing, max: nothing, mean: nothing });
});

test('percentile distribution is cumulative and ends at 100% with every value counted', () => {
  const histogram = createHistogram();
  for (const value of sample(1000, 5)) recordMicros(histogram, value);
  const rows = percentileDistribution(histogram);
  assert.ok(rows.length > 10);
  for (let i = 1; i < rows.length; i++) {
    assert.ok(rows[i]!.count >= rows[i - 1]!.count);
    assert.ok(rows[i]!.valueMs >= rows[i - 1]!.valueMs);
  }
  assert.equal(rows.at(-1)!.percentile, 100);
  assert.equal(rows.at(-1)!.count, 1000);
});

test("percentile distribution has exactly the rows of hdr-histogram-js's own CSV distribution", () => {
  const edges = [0, 1, 999, 1000, 1001, 2047, 2048, 65_535, 1_000_000, 3_600_000_000];
  for (const values of [sample(1, 21), sample(7, 22), sample(1000, 23), sample(100_000, 24), [...edges, ...sample(20_000, 25)]]) {
    const histogram = createHistogram();
    for (const value of values) recordMicros(histogram, value);
    // What latency.csv had when it was read from hdr-histogram-js's text (Intl.NumberFormat, parsed back).
    const text = (histogram as unknown as { outputPercentileDistribution(ticks: number, scale: number, csv: boolean): string }).outputPercentileDistribution(
      5,
      1,
      true,
    );
    const fromText = text
      .split('\n')
      .slice(1)
      .filter((line) => line !== '')
      .map((line) => {
        const [value, percentile, count] = line.split(',');
        return { percentile: Number(percentile) * 100, valueMs: microsToMillis(Number(value)), count: Number(count) };
      });
    assert.deepEqual(percentileDistribution(histogram), fromText);
  }
});

test("percentile distribution's one pass gives every row hdr-histogram-js's percentile iterator gives", () => {
  const cases: [number, number][][] = [
    [[0, 1]],
    [
      [0, 5],
      [7, 1],
    ],
    [[3_600_000_000, 2]],
    [[1500, 2 ** 40]],
    [
      [1, 1],
      [2, 1],
      [3, 1],
    ],
  ];
  for (let spread = 1; spread <= 20; spread++) {
    const values: [number, number][] = [];
    for (let i = 1; i <= 500 * spread; i++)
      values.push([Math.min(highestMicros, Math.floor(Math.exp(((i * 7919) % 1000) / (1000 / spread)) * (1 + (i % 97)))), 1 + (i % 3)]);
    cases.push(values);
  }
  for (const [index, values] of cases.entries()) {
    const histogram = createHistogram();
    for (const [value, count] of values) histogram.recordValueWithCount(value, count);
    const iterator = (
      histogram as unknown as {
        percentileIterator: {
          reset(ticks: number): void;
          hasNext(): boolean;
          next(): { valueIteratedTo: number; percentileLevelIteratedTo: number; totalCountToThisValue: number };
        };
      }
    ).percentileIterator;
    iterator.reset(5);
    const expected: [number, number, number][] = [];
    while (iterator.hasNext()) {
      const step = iterator.next();
      expected.push([step.percentileLevelIteratedTo, microsToMillis(step.valueIteratedTo), step.totalCountToThisValue]);
    }
    const rows = percentileDistribution(histogram);
    assert.deepEqual(
      rows.map((row) => [row.valueMs, row.count]),
      expected.map(([, value, count]) => [value, count]),
      `case ${index}`,
    );
    for (const [at, row] of rows.entries()) assert.ok(Math.abs(row.percentile - expected[at]![0]) < 1e-9, `case ${index} row ${at}`);
  }
});

test('a percentile fraction is rounded as Intl.NumberFormat with 12 fraction digits rounds it', () => {
  const intl = new Intl.NumberFormat('en-US', { minimumFractionDigits: 12, maximumFractionDigits: 12, useGrouping: false });
  const fractions = [0, 1, 0.5, 0.1, 0.9999999999995, 0.9999999999994, 0.1234567890125, 0.0000001, 1e-13, 0.99999999999999];
  // Every level the percentile iterator reaches on its way to 100 %.
  for (let level = 0; level < 100 && fractions.length < 2000; level += 100 / (5 * Math.pow(2, Math.floor(Math.log2(100 / (100 - level))) + 1)))
    fractions.push(level / 100);
  let state = 7;
  for (let i = 0; i < 20_000; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    fractions.push(state / 2147483648, 1 - state / 2147483648 / 1e9, Math.round((state / 2147483648) * 1e13) / 1e13);
  }
  for (const fraction of fractions) assert.equal(percentileFraction(fraction), Number(intl.format(fraction)), String(fraction));
});

test('worker bins moved into a histogram encode exactly as recording every value there', () => {
  const edges = [-5, 0, 0.4, 1, 2.5, 1023, 1024, 2047, 2048, 2049, 4095, 4096, 4097, 65_535, 1_000_000, 2 ** 31, 3_599_999_999, 3_600_000_000, 1e12];
  const values = [...edges, ...sample(50_000, 11), ...sample(3, 12)];
  const direct = createHistogram();
  const bins = new HistogramBins();
  for (const value of values) {
    recordMicros(direct, value);
    bins.record(value);
  }
  assert.equal(bins.count, values.length);
  const moved = createHistogram();
  bins.moveInto(moved);
  assert.equal(bins.count, 0);
  const fromBins = decodeHistogram(encodeHistogram(moved));
  const fromDirect = decodeHistogram(encodeHistogram(direct));
  assert.equal(fromBins.totalCount, values.length);
  assert.deepEqual(summarize(fromBins), summarize(fromDirect));
  assert.deepEqual(percentileDistribution(fromBins), percentileDistribution(fromDirect));

  // Emptied: the next interval starts from nothing.
  bins.record(700);
  const next = createHistogram();
  bins.moveInto(next);
  assert.equal(next.totalCount, 1);
  assert.equal(next.getValueAtPercentile(100), 700);
});

test("summarize's one walk over the buckets gives what hdr-histogram-js's percentiles and mean give", () => {
  for (let spread = 1; spread <= 20; spread++) {
    const histogram = createHistogram();
    // A deterministic spread from 1 µs to minutes, different for each round.
    for (let i = 1; i <= 3000; i++)
      histogram.recordValue(Math.min(highestMicros, Math.floor(Math.exp(((i * 7919) % 1000) / (1000 / spread)) * (1 + (i % 97)))));
    const summary = summarize(histogram);
    assert.deepEqual(
      [summary.p50, summary.p90, summary.p99, summary.p999, summary.mean],
      [
        microsToMillis(histogram.getValueAtPercentile(50)),
        microsToMillis(histogram.getValueAtPercentile(90)),
        microsToMillis(histogram.getValueAtPercentile(99)),
        microsToMillis(histogram.getValueAtPercentile(99.9)),
        Math.round(histogram.mean) / 1000,
      ],
      `spread ${spread}`,
    );
  }
});

/** The buckets, total, max and min a histogram holds, to compare two exactly. */
function stateOf(histogram: Histogram): { counts: number[]; total: number; max: number; min: number } {
  const counts: number[] = [];
  for (const [index, count] of (histogram as unknown as { _counts: Float64Array })._counts.entries()) if (count !== 0) counts.push(index, count);
  return { counts, total: histogram.totalCount, max: histogram.maxValue, min: histogram.minNonZeroValue };
}

test("encode, decode and add give byte for byte what hdr-histogram-js's own give", () => {
  const edges = [0, 1, 2047, 2048, 65_535, 1_000_000, 2 ** 31, 2 ** 33 + 5, 3_600_000_000];
  const cases = [[], [0], [5], edges, sample(7, 31), sample(5_000, 32), [...edges, ...sample(50_000, 33)]];
  const histograms = cases.map((values) => {
    const histogram = createHistogram();
    for (const value of values) recordMicros(histogram, value);
    return histogram;
  });
  // Counts far above one per bucket take several bytes each in the encoding.
  histograms[3]!.recordValueWithCount(1500, 2 ** 40 + 3);
  for (const [index, histogram] of histograms.entries()) {
    const encoded = encodeHistogram(histogram);
    assert.equal(encoded, hdr.encodeIntoCompressedBase64(histogram), `case ${index}: encoding`);
    assert.deepEqual(stateOf(decodeHistogram(encoded)), stateOf(hdr.decodeFromCompressedBase64(encoded, 64, false)), `case ${index}: decoding`);
    assert.deepEqual(stateOf(decodeHistogram(` ${encoded}\n`)), stateOf(decodeHistogram(encoded)), `case ${index}: a stored file's line`);
  }
  for (const [a, first] of histograms.entries()) {
    for (const [b, second] of histograms.entries()) {
      const ours = decodeHistogram(encodeHistogram(first));
      const theirs = decodeHistogram(encodeHistogram(first));
      addHistogram(ours, decodeHistogram(encodeHistogram(second)));
      theirs.add(decodeHistogram(encodeHistogram(second)));
      assert.deepEqual(stateOf(ours), stateOf(theirs), `case ${a} + case ${b}`);
      const read = decodeHistogram(encodeHistogram(first));
      addEncodedCounts(read, readEncodedCounts(encodeHistogram(second)));
      assert.deepEqual(stateOf(read), stateOf(theirs), `case ${a} + case ${b}'s encoded counts`);
      const fresh = createHistogram();
      addHistogram(fresh, second);
      assert.equal(encodeHistogram(fresh), hdr.encodeIntoCompressedBase64(second), `empty + case ${b}`);
    }
  }
  // Counts of another layout (a histogram up to 1 minute) are added as the library adds them.
  const minute = hdr.build({
    bitBucketSize: 64,
    autoResize: false,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 2,
    useWebAssembly: false,
  });
  for (const value of sample(3_000, 34)) minute.recordValue(Math.round(value));
  const ours = createHistogram();
  const theirs = createHistogram();
  addEncodedCounts(ours, readEncodedCounts(hdr.encodeIntoCompressedBase64(minute)));
  theirs.add(hdr.decodeFromCompressedBase64(hdr.encodeIntoCompressedBase64(minute), 64, false));
  assert.deepEqual(stateOf(ours), stateOf(theirs), 'another layout');
  assert.throws(() => decodeHistogram('bm90IGEgaGlzdG9ncmFt'), /only V2 is supported/);
});
