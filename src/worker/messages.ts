// What crosses the MessagePort between the coordinator and a worker thread.
import type { Counters } from '../metrics/counters.js';
import type { MetricName } from '../metrics/histogram.js';
import type { StepScenario } from '../scenario/types.js';
import type { MessagePort } from 'node:worker_threads';

/** One worker's share of a step. Times are epoch milliseconds (fractional). */
export interface Slice {
  scenario: StepScenario;
  target: string;
  workerIndex: number;
  /** Workers in the whole step (across shards): closed stages split their counts by it. */
  workerCount: number;
  /** Connections this worker opens, and the global index of its first one. */
  connections: number;
  firstConnection: number;
  /** Connections across every worker and shard of the step. */
  totalConnections: number;
  startAt: number;
  measureFrom: number;
  endAt: number;
}

export interface Snapshot {
  type: 'snapshot';
  workerIndex: number;
  /** Epoch ms of the interval this snapshot closes. */
  endedAt: number;
  warmup: boolean;
  final: boolean;
  /** Connections open at the moment of the snapshot. */
  connectionsOpen: number;
  counters: Counters;
  /** Encoded HDR histograms of this interval only, per metric that has values. */
  histograms: Partial<Record<MetricName, string>>;
}

export interface StopRequest {
  type: 'stop';
}

export type WorkerToCoordinator = Snapshot;
export type CoordinatorToWorker = StopRequest;

export interface SliceTask {
  slice: Slice;
  port: MessagePort;
}
