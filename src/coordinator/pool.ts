// The piscina pool of a step: one thread per worker, one long task each, every task
// streaming snapshots back over its own MessagePort.
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { connectionWorkloads } from '../scenario/types.js';
import type { Slice, StartRequest, StopRequest, WorkerToCoordinator } from '../worker/messages.js';

const workerEntry = new URL('../worker/entry.js', import.meta.url).href;

/**
 * The young generation of a thread that holds, opens or cycles connections (hold, connect,
 * reconnect-storm), in MB (2 MB semi-spaces). What such a thread keeps lives long and what it
 * allocates while opening is soon garbage, so a small young generation costs it no CPU
 * (measured: the same, 1.5 to 1.7 s, opening 8,000 WebSockets), while V8's default grows to
 * 16 MB semi-spaces under the allocation of opening and keeps them: about 2 KiB more RSS per
 * connection at 8,000 connections in one thread (4.2 to 4.4 KiB against 1.8 to 2.2).
 */
export const holdYoungGenerationMb = 6;

export interface RunningSlices {
  /** Settles when every task has ended; lists the errors of the ones that failed. */
  finished: Promise<Error[]>;
  /** Resolves with the first failure as soon as it happens (a crashed thread or process); never otherwise. */
  failed: Promise<Error>;
  /** Tells every worker the step's times; they wait for it after reporting ready. */
  start(request: StartRequest): void;
  stop(): void;
  destroy(): Promise<void>;
}

/** The pool's options for `slices`: one thread each, and a small young generation for threads that hold connections. */
export function poolOptions(slices: Slice[]): ConstructorParameters<typeof Piscina>[0] {
  const holds = slices.length > 0 && slices.every((slice) => connectionWorkloads.includes(slice.scenario.workload));
  return {
    filename: workerEntry,
    minThreads: slices.length,
    maxThreads: slices.length,
    concurrentTasksPerWorker: 1,
    idleTimeout: 60_000,
    // Each task runs for the whole step: piscina's queue must not hold one back.
    maxQueue: slices.length,
    ...(holds ? { resourceLimits: { maxYoungGenerationSizeMb: holdYoungGenerationMb } } : {}),
  };
}

export function runSlices(slices: Slice[], onMessage: (message: WorkerToCoordinator) => void): RunningSlices {
  const pool = new Piscina(poolOptions(slices));
  const ports: MessagePort[] = [];
  const tasks = slices.map((slice) => {
    const channel = new MessageChannel();
    channel.port1.on('message', onMessage);
    ports.push(channel.port1);
    return pool.run({ slice, port: channel.port2 }, { transferList: [channel.port2] });
  });
  const failed = new Promise<Error>((resolve) => {
    for (const task of tasks) task.catch((reason: unknown) => resolve(toError(reason)));
  });
  const finished = Promise.allSettled(tasks).then((results) => results.flatMap((result) => (result.status === 'rejected' ? [toError(result.reason)] : [])));
  return {
    finished,
    failed,
    start(request) {
      for (const port of ports) port.postMessage(request);
    },
    stop() {
      const request: StopRequest = { type: 'stop' };
      for (const port of ports) port.postMessage(request);
    },
    async destroy() {
      for (const port of ports) port.close();
      await pool.destroy();
    },
  };
}

function toError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}
