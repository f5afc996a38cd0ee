// How the built-in target's connections are used: the most open at once, and how many sit
// idle (open, with no request in flight and not upgraded to a WebSocket) — the sockets
// keep-alive holds that could serve someone else. Idle counts are sampled every 100 ms and
// summed over the time sampled, so the mean over any window is the difference of two
// readings of one divided by the difference of the other. Peaks of several processes add up to at most the true peak's
// upper bound, so with more than one target process they are an upper bound.
import { performance } from 'node:perf_hooks';
import type { SocketUsageStats } from '../results/target-stats.js';

const sampleEveryMs = 100;

export class SocketUsage {
  private open = 0;
  private peak = 0;
  private webSockets = 0;
  /** In-flight requests per socket object the request arrived on (the TLS socket under TLS). */
  private readonly busy = new Map<object, number>();
  private idleNow = 0;
  private idlePeak = 0;
  private idleSeconds = 0;
  private sampled = 0;
  private lastSampleAt = performance.now();
  private readonly timer: NodeJS.Timeout;

  constructor() {
    this.timer = setInterval(() => this.sample(), sampleEveryMs).unref();
  }

  opened(): void {
    this.open++;
    if (this.open > this.peak) this.peak = this.open;
  }

  closed(): void {
    this.open--;
  }

  requestStarted(socket: object): void {
    this.busy.set(socket, (this.busy.get(socket) ?? 0) + 1);
  }

  requestEnded(socket: object): void {
    const left = (this.busy.get(socket) ?? 1) - 1;
    if (left > 0) this.busy.set(socket, left);
    else this.busy.delete(socket);
  }

  /** A socket taken over by a WebSocket until it closes. */
  upgraded(socket: { once(event: 'close', listener: () => void): unknown }): void {
    this.webSockets++;
    socket.once('close', () => this.webSockets--);
  }

  stats(): SocketUsageStats {
    return {
      connectionsPeak: this.peak,
      connectionsIdle: this.idleNow,
      idleConnectionsPeak: this.idlePeak,
      idleConnectionSeconds: this.idleSeconds,
      sampledSeconds: this.sampled,
    };
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private sample(): void {
    const at = performance.now();
    const seconds = (at - this.lastSampleAt) / 1000;
    this.lastSampleAt = at;
    this.idleNow = Math.max(0, this.open - this.busy.size - this.webSockets);
    this.idlePeak = Math.max(this.idlePeak, this.idleNow);
    this.idleSeconds += this.idleNow * seconds;
    this.sampled += seconds;
  }
}
