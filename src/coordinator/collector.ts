// Merges the snapshots of a step's workers: per interval (lined up by the time each
// interval closed) for timeseries rows, and for the whole measured part of the step.
// Histograms are added, never averaged; counters are summed. A snapshot that arrives
// after its interval was emitted still counts in the step's totals.
import { addCounters, emptyCounters, type Counters } from '../metrics/counters.js';
import {
  addEncodedCounts,
  addHistogram,
  createHistogram,
  readEncodedCounts,
  type EncodedCounts,
  type Histogram,
  type MetricName,
} from '../metrics/histogram.js';
import type { Snapshot } from '../worker/messages.js';
import { UnansweredTailTracker, type UnansweredTail } from '../results/unanswered-tail.js';

export interface IntervalAggregate {
  startedAt: number;
  endedAt: number;
  warmup: boolean;
  final: boolean;
  workersReported: number;
  connectionsOpen: number;
  /** Clients connected at the protocol level, summed over the workers that report them; undefined when none does. */
  clientsHeld: number | undefined;
  counters: Counters;
  histograms: Map<MetricName, Histogram>;
}

const connectionMetrics: ReadonlySet<MetricName> = new Set(['connect', 'handshake', 'tls_handshake']);

/**
 * A snapshot's histograms, read once as their non-zero buckets: each is added to the step's
 * totals and to its interval (or the carry), and building a whole histogram for each would
 * allocate and walk 23,552 buckets per metric per snapshot.
 */
function readSnapshotHistograms(snapshot: Snapshot): Map<MetricName, EncodedCounts> {
  const read = new Map<MetricName, EncodedCounts>();
  for (const [metric, encoded] of Object.entries(snapshot.histograms) as [MetricName, string][]) read.set(metric, readEncodedCounts(encoded));
  return read;
}

function addHistograms(into: Map<MetricName, Histogram>, from: ReadonlyMap<MetricName, EncodedCounts>, only?: ReadonlySet<MetricName>): void {
  for (const [metric, added] of from) {
    if (only && !only.has(metric)) continue;
    let histogram = into.get(metric);
    if (!histogram) {
      histogram = createHistogram();
      into.set(metric, histogram);
    }
    addEncodedCounts(histogram, added);
  }
}

export class StepCollector {
  readonly totals: Counters = emptyCounters();
  readonly warmupTotals: Counters = emptyCounters();
  readonly histograms = new Map<MetricName, Histogram>();
  connectionsPeak = 0;
  /** The most clients held in a measured interval; undefined when no worker reports clients. */
  clientsPeak: number | undefined;
  private readonly pending = new Map<string, IntervalAggregate>();
  private readonly finals = new Set<number>();
  private readonly openByWorker = new Map<number, number>();
  private readonly clientsByWorker = new Map<number, number>();
  private lastEndedAt: number;
  private emittedAny = false;
  private carry = { counters: emptyCounters(), histograms: new Map<MetricName, Histogram>() };
  private readonly unanswered: UnansweredTailTracker;

  constructor(
    private readonly workers: number,
    startAt: number,
    private readonly emit: (interval: IntervalAggregate) => void,
    /** What shows in an interval that the target answered (results/default-verdict.ts). */
    answered: (counters: Counters, held: number) => number,
  ) {
    this.lastEndedAt = startAt;
    this.unanswered = new UnansweredTailTracker(answered);
  }

  /** Connections open as the latest snapshot of each worker reported them. */
  get connectionsOpenNow(): number {
    let open = 0;
    for (const count of this.openByWorker.values()) open += count;
    return open;
  }

  /** Clients held as the latest snapshot of each worker reported them; undefined when no worker reports clients. */
  get clientsHeldNow(): number | undefined {
    if (this.clientsByWorker.size === 0) return undefined;
    let held = 0;
    for (const count of this.clientsByWorker.values()) held += count;
    return held;
  }

  get finalsReceived(): number {
    return this.finals.size;
  }

  add(snapshot: Snapshot): void {
    const histograms = readSnapshotHistograms(snapshot);
    if (snapshot.final) this.finals.add(snapshot.workerIndex);
    else {
      this.openByWorker.set(snapshot.workerIndex, snapshot.connectionsOpen);
      if (snapshot.clientsHeld !== undefined) this.clientsByWorker.set(snapshot.workerIndex, snapshot.clientsHeld);
    }
    if (snapshot.warmup) {
      addCounters(this.warmupTotals, snapshot.counters);
      // Most connections open during the warm-up: what opening them cost belongs to the step.
      this.totals.connectionsOpened += snapshot.counters.connectionsOpened;
      this.totals.connectionsFailed += snapshot.counters.connectionsFailed;
      this.totals.clientsOpened += snapshot.counters.clientsOpened;
      this.totals.sessionsOpened += snapshot.counters.sessionsOpened;
      addHistograms(this.histograms, histograms, connectionMetrics);
    } else {
      addCounters(this.totals, snapshot.counters);
      addHistograms(this.histograms, histograms);
    }
    // A worker that ran late reports an interval already written: its counts join the next row.
    if (!snapshot.final && snapshot.endedAt <= this.lastEndedAt && this.emittedAny) {
      addCounters(this.carry.counters, snapshot.counters);
      addHistograms(this.carry.histograms, histograms);
      return;
    }
    // Final snapshots of an interrupted step close at slightly different moments: one row.
    const key = snapshot.final ? 'final' : String(snapshot.endedAt);
    let interval = this.pending.get(key);
    if (!interval) {
      interval = {
        startedAt: 0,
        endedAt: snapshot.endedAt,
        warmup: snapshot.warmup,
        final: snapshot.final,
        workersReported: 0,
        connectionsOpen: 0,
        clientsHeld: undefined,
        counters: emptyCounters(),
        histograms: new Map(),
      };
      this.pending.set(key, interval);
    }
    interval.endedAt = Math.max(interval.endedAt, snapshot.endedAt);
    interval.workersReported++;
    interval.connectionsOpen += snapshot.connectionsOpen;
    if (snapshot.clientsHeld !== undefined) interval.clientsHeld = (interval.clientsHeld ?? 0) + snapshot.clientsHeld;
    addCounters(interval.counters, snapshot.counters);
    addHistograms(interval.histograms, histograms);
    if (interval.workersReported === this.workers) this.flush((candidate) => candidate === interval);
  }

  /** Emits intervals that closed before `before` even if a worker has not reported (it is late: saturated or crashed). */
  flushOlderThan(before: number): void {
    this.flush((interval) => interval.endedAt < before && !interval.final);
  }

  /** The end of the step in which nothing succeeded but errors came (a target that died), once every interval is in. */
  get unansweredTail(): UnansweredTail | undefined {
    return this.unanswered.tail;
  }

  flushAll(): void {
    this.flush(() => true);
  }

  private flush(select: (interval: IntervalAggregate) => boolean): void {
    const ready = [...this.pending.entries()].filter(([, interval]) => select(interval)).sort(([, a], [, b]) => a.endedAt - b.endedAt);
    for (const [key, interval] of ready) {
      this.pending.delete(key);
      addCounters(interval.counters, this.carry.counters);
      for (const [metric, histogram] of this.carry.histograms) {
        const into = interval.histograms.get(metric);
        if (into) addHistogram(into, histogram);
        else interval.histograms.set(metric, histogram);
      }
      this.carry = { counters: emptyCounters(), histograms: new Map() };
      this.emittedAny = true;
      interval.startedAt = Math.min(this.lastEndedAt, interval.endedAt);
      this.lastEndedAt = Math.max(this.lastEndedAt, interval.endedAt);
      if (!interval.warmup) {
        this.connectionsPeak = Math.max(this.connectionsPeak, interval.connectionsOpen);
        if (interval.clientsHeld !== undefined) this.clientsPeak = Math.max(this.clientsPeak ?? 0, interval.clientsHeld);
        this.unanswered.add(interval.startedAt / 1000, interval.endedAt / 1000, interval.counters, interval.clientsHeld ?? interval.connectionsOpen);
      }
      this.emit(interval);
    }
  }
}
