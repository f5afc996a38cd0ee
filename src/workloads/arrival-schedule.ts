// When the k-th arrival of a step is meant to happen, from the start rate and the stages.
// Times come from k alone (start + the inverse of the cumulative arrival curve), never
// from the previous arrival's actual time, so a late timer never pushes later arrivals
// back: the schedule a stalled generator falls behind stays the one it is measured against.
import type { Stage } from '../scenario/types.js';

interface Segment {
  startMs: number;
  durationMs: number;
  fromRate: number;
  toRate: number;
  arrivalsBefore: number;
  arrivals: number;
}

export class ArrivalSchedule {
  private readonly segments: Segment[] = [];
  private readonly holdRate: number;
  private readonly holdFromMs: number;
  private readonly holdArrivalsBefore: number;

  /** Rates are per second; a stage ramps linearly from the previous rate to its target. */
  constructor(startRate: number, stages: Stage[]) {
    let rate = startRate;
    let startMs = 0;
    let arrivalsBefore = 0;
    for (const stage of stages) {
      const arrivals = ((rate + stage.target) / 2) * (stage.duration / 1000);
      this.segments.push({ startMs, durationMs: stage.duration, fromRate: rate, toRate: stage.target, arrivalsBefore, arrivals });
      startMs += stage.duration;
      arrivalsBefore += arrivals;
      rate = stage.target;
    }
    this.holdRate = rate;
    this.holdFromMs = startMs;
    this.holdArrivalsBefore = arrivalsBefore;
  }

  /** Milliseconds after the start at which arrival `k` (0-based) is due, or undefined if it never is. */
  offsetOf(k: number): number | undefined {
    for (const segment of this.segments) {
      if (k < segment.arrivalsBefore + segment.arrivals) {
        return segment.startMs + secondsInto(segment, k - segment.arrivalsBefore) * 1000;
      }
    }
    if (this.holdRate <= 0) return undefined;
    return this.holdFromMs + ((k - this.holdArrivalsBefore) / this.holdRate) * 1000;
  }

  /** The profile's value at `offsetMs` after the start: a rate per second, or a connection count for closed stages. */
  valueAt(offsetMs: number): number {
    for (const segment of this.segments) {
      if (offsetMs < segment.startMs + segment.durationMs) {
        const progress = (offsetMs - segment.startMs) / segment.durationMs;
        return segment.fromRate + (segment.toRate - segment.fromRate) * progress;
      }
    }
    return this.holdRate;
  }
}

/** Solves fromRate·t + (toRate − fromRate)·t²/(2·D) = n for t in seconds. */
function secondsInto(segment: Segment, n: number): number {
  const seconds = segment.durationMs / 1000;
  const a = (segment.toRate - segment.fromRate) / (2 * seconds);
  const b = segment.fromRate;
  if (Math.abs(a) < 1e-12) return b > 0 ? n / b : 0;
  return (-b + Math.sqrt(Math.max(0, b * b + 4 * a * n))) / (2 * a);
}

export function totalStageDuration(stages: Stage[]): number {
  return stages.reduce((sum, stage) => sum + stage.duration, 0);
}
