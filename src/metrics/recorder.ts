// Collects what one worker measures between two snapshots. Drivers and the slice runner
// call it on every request; it must stay cheap (no allocation on the hot path).
import type { Socket } from 'node:net';
import { emptyCounters, type Counters, type PeakCounter } from './counters.js';
import { createHistogram, encodeHistogram, type Histogram, type MetricName } from './histogram.js';
import { HistogramBins } from './histogram-bins.js';

interface TrackedSocket {
  socket: Socket;
  countedRead: number;
  countedWritten: number;
}

export class Recorder {
  private counters: Counters = emptyCounters();
  private readonly bins = new Map<MetricName, HistogramBins>();
  /** One per metric, reused: it only carries the bins' counts into the encoder. */
  private readonly encoders = new Map<MetricName, Histogram>();
  private readonly sockets = new Set<TrackedSocket>();

  /** The bins of `metric`, for a hot path to hold on to rather than look up on every value. */
  histogram(metric: MetricName): HistogramBins {
    let bins = this.bins.get(metric);
    if (!bins) {
      bins = new HistogramBins();
      this.bins.set(metric, bins);
    }
    return bins;
  }

  record(metric: MetricName, micros: number): void {
    this.histogram(metric).record(micros);
  }

  count(counter: Exclude<keyof Counters, 'errorsByCode' | 'stepFailures' | PeakCounter>, by = 1): void {
    this.counters[counter] += by;
  }

  /** Raises a peak counter to `value` if it is higher. */
  peak(counter: PeakCounter, value: number): void {
    if (value > this.counters[counter]) this.counters[counter] = value;
  }

  error(code: string): void {
    this.counters.errors++;
    this.counters.errorsByCode[code] = (this.counters.errorsByCode[code] ?? 0) + 1;
  }

  /** A named session step with a timed reply ended without it; the error itself goes to `error`. */
  stepFailed(name: string): void {
    this.counters.stepFailures[name] = (this.counters.stepFailures[name] ?? 0) + 1;
  }

  get connectionsOpen(): number {
    return this.sockets.size;
  }

  /**
   * Counts a socket's wire bytes (headers, frames and TLS records included, as the kernel
   * saw them) until it closes; live sockets are read at every snapshot.
   */
  trackSocket(socket: Socket): void {
    const tracked: TrackedSocket = { socket, countedRead: 0, countedWritten: 0 };
    this.sockets.add(tracked);
    this.counters.connectionsOpened++;
    socket.once('close', () => {
      this.collectBytes(tracked);
      this.sockets.delete(tracked);
      this.counters.connectionsClosed++;
    });
  }

  private collectBytes(tracked: TrackedSocket): void {
    const read = tracked.socket.bytesRead;
    const written = tracked.socket.bytesWritten;
    this.counters.bytesReceived += read - tracked.countedRead;
    this.counters.bytesSent += written - tracked.countedWritten;
    tracked.countedRead = read;
    tracked.countedWritten = written;
  }

  /** Returns this interval's counters and encoded histograms and starts a new interval. */
  takeInterval(): { counters: Counters; histograms: Partial<Record<MetricName, string>> } {
    for (const tracked of this.sockets) this.collectBytes(tracked);
    const counters = this.counters;
    this.counters = emptyCounters();
    const histograms: Partial<Record<MetricName, string>> = {};
    for (const [metric, bins] of this.bins) {
      if (bins.count === 0) continue;
      let encoder = this.encoders.get(metric);
      if (!encoder) this.encoders.set(metric, (encoder = createHistogram()));
      bins.moveInto(encoder);
      histograms[metric] = encodeHistogram(encoder);
      encoder.reset();
    }
    return { counters, histograms };
  }
}
