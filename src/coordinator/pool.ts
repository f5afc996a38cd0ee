// The piscina pool of a step: one thread per worker, one long task each, every task
// streaming snapshots back over its own MessagePort.
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { Slice, StartRequest, StopRequest, WorkerToCoordinator } from '../worker/messages.js';

const workerEntry = new URL('../worker/entry.js', import.meta.url).href;

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

export function runSlices(slices: Slice[], onMessage: (message: WorkerToCoordinator) => void): RunningSlices {
  const pool = new Piscina({
    filename: workerEntry,
    minThreads: slices.length,
    maxThreads: slices.length,
    concurrentTasksPerWorker: 1,
    idleTimeout: 60_000,
    // Each task runs for the whole step: piscina's queue must not hold one back.
    maxQueue: slices.length,
  });
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
