// Collects what one worker measures between two snapshots. Drivers and the slice runner
// call it on every request; it must stay cheap (no allocation on the hot path).
import type { Socket } from 'node:net';
import { emptyCounters, type Counters, type PeakCounter } from './counters.js';
import { createHistogram, encodeHistogram, type Histogram, type MetricName } from './histogram.js';
import { HistogramBins } from './histogram-bins.js';
import { MeteredSocket, type SocketMeter } from './metered-socket.js';

export class Recorder {
  private counters: Counters = emptyCounters();
  private readonly bins = new Map<MetricName, HistogramBins>();
  /** One per metric, reused: it only carries the bins' counts into the encoder. */
  private readonly encoders = new Map<MetricName, Histogram>();
  /**
   * Sockets whose bytes native code moves (the TCP socket under TLS, or under an HTTP/2
   * session), and the wire bytes of those that closed since the last interval. Bytes only
   * grow, so an interval's bytes are (closed + live now) − (that sum last time): these are
   * read at every snapshot.
   */
  private readonly scanned = new Set<Socket>();
  private closedRead = 0;
  private closedWritten = 0;
  private lastRead = 0;
  private lastWritten = 0;
  /**
   * Metered sockets (metered-socket.ts) that moved bytes since the last snapshot: only these
   * are read then, so an interval costs what moved in it, not a read of every open socket.
   */
  private moved: MeteredSocket[] = [];
  private open = 0;
  /** One listener for every socket (`this` is the socket): tracking one costs no closure. */
  private readonly socketClosed: (this: Socket) => void;
  readonly meter: SocketMeter;

  constructor() {
    const untrack = (socket: Socket): void => {
      if (socket instanceof MeteredSocket) {
        if (!socket.tracked) return;
        socket.tracked = false;
        this.settle(socket);
      } else {
        if (!this.scanned.delete(socket)) return;
        this.closedRead += socket.bytesRead;
        this.closedWritten += socket.bytesWritten;
      }
      this.open--;
      this.counters.connectionsClosed++;
    };
    this.socketClosed = function (this: Socket) {
      untrack(this);
    };
    this.meter = {
      touched: (socket) => {
        socket.moved = true;
        this.moved.push(socket);
      },
    };
  }

  /** Counts what a metered socket moved since it was last counted. */
  private settle(socket: MeteredSocket): void {
    socket.moved = false;
    const read = socket.bytesRead;
    // undefined once destroyed with nothing buffered: it wrote no more than was counted.
    const written = socket.bytesWritten ?? socket.countedWritten;
    this.counters.bytesReceived += read - socket.countedRead;
    this.counters.bytesSent += written - socket.countedWritten;
    socket.countedRead = read;
    socket.countedWritten = written;
  }

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
    return this.open;
  }

  /**
   * Counts a socket's wire bytes (headers, frames and TLS records included, as the kernel
   * saw them) from its connect until it closes: a metered socket's when it moves them, any
   * other's at every snapshot.
   */
  trackSocket(socket: Socket): void {
    if (socket instanceof MeteredSocket) {
      socket.tracked = true;
      // What it wrote while connecting is counted at the next snapshot.
      if (!socket.moved) this.meter.touched(socket);
    } else {
      this.scanned.add(socket);
    }
    this.open++;
    this.counters.connectionsOpened++;
    socket.on('close', this.socketClosed);
  }

  /** Returns this interval's counters and encoded histograms and starts a new interval. */
  takeInterval(): { counters: Counters; histograms: Partial<Record<MetricName, string>> } {
    const moved = this.moved;
    this.moved = [];
    for (const socket of moved) if (socket.tracked) this.settle(socket);
    let read = this.closedRead;
    let written = this.closedWritten;
    for (const socket of this.scanned) {
      read += socket.bytesRead;
      written += socket.bytesWritten;
    }
    const counters = this.counters;
    counters.bytesReceived += read - this.lastRead;
    counters.bytesSent += written - this.lastWritten;
    this.lastRead = read;
    this.lastWritten = written;
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
