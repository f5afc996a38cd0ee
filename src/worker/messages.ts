// What crosses the MessagePort between the coordinator and a worker thread.
import type { Counters } from '../metrics/counters.js';
import type { MetricName } from '../metrics/histogram.js';
import type { StepScenario } from '../scenario/types.js';
import type { MessagePort } from 'node:worker_threads';

/** One worker's share of a step. Times are epoch milliseconds (fractional). */
export interface Slice {
  scenario: StepScenario;
  /** The target's URLs, one per target process; connection g talks to targets[g % length]. */
  targets: string[];
  /** Local addresses to bind to, connection g to sources[g % length]; empty: the system picks. */
  sources: string[];
  /** PEM certificate the built-in TLS target serves, trusted besides `tls.ca`. */
  trustedCa: string | undefined;
  workerIndex: number;
  /** Workers in the whole step (across shards): closed stages split their counts by it. */
  workerCount: number;
  /** Connections this worker opens, and the global index of its first one. */
  connections: number;
  firstConnection: number;
  /** Connections across every worker and shard of the step. */
  totalConnections: number;
  /** As planned; each worker replaces them with the times of the start request. */
  startAt: number;
  measureFrom: number;
  endAt: number;
  /** The target host's clock minus this one's, in ms, measured to its sockcap agent; 0 when not measured. */
  targetClockOffsetMs?: number;
}

export interface Snapshot {
  type: 'snapshot';
  workerIndex: number;
  /** Epoch ms of the interval this snapshot closes. */
  endedAt: number;
  warmup: boolean;
  final: boolean;
  /** Connections (sockets) open at the moment of the snapshot. */
  connectionsOpen: number;
  /** Clients connected at the protocol level then; only from workloads that establish them (hold, connect, reconnect-storm). */
  clientsHeld?: number;
  counters: Counters;
  /** Encoded HDR histograms of this interval only, per metric that has values. */
  histograms: Partial<Record<MetricName, string>>;
}

export interface StopRequest {
  type: 'stop';
}

/** A worker has loaded and built its connections' drivers and waits for its start time. */
export interface ReadyReport {
  type: 'ready';
  workerIndex: number;
}

/**
 * The step's clock, sent once every worker is ready, so connections open after the
 * memory baseline is taken and no worker starts late because its thread came up late.
 */
export interface StartRequest {
  type: 'start';
  startAt: number;
  measureFrom: number;
  endAt: number;
  /** The target host's clock minus this one's, in ms, measured to its sockcap agent; 0 when not measured. */
  targetClockOffsetMs?: number;
}

export type WorkerToCoordinator = Snapshot | ReadyReport;
export type CoordinatorToWorker = StopRequest | StartRequest;

export interface SliceTask {
  slice: Slice;
  port: MessagePort;
}

/** The local address client `global` binds to (`sources`), the same whichever kind of client it is; undefined: the system picks. */
export function sourceOf(slice: Pick<Slice, 'sources'>, global: number): string | undefined {
  return slice.sources.length > 0 ? slice.sources[global % slice.sources.length] : undefined;
}
