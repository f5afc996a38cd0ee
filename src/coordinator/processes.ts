// Runs a step's slices: in this process when one generator process is enough, else in
// several forked generator processes (generator-process.ts), each with its own pool.
import { fork } from 'node:child_process';
import type { Slice, WorkerToCoordinator } from '../worker/messages.js';
import type { FromGenerator, ToGenerator } from './generator-process.js';
import { runSlices, type RunningSlices } from './pool.js';
import { parentPidEnv } from '../target/messages.js';

const generatorEntry = new URL('./generator-process.js', import.meta.url);

export interface RunningGenerators extends RunningSlices {
  /** pids of the extra generator processes, sampled with this one as the generator's CPU and memory. */
  pids: number[];
}

export function runGenerators(groups: Slice[][], onMessage: (message: WorkerToCoordinator) => void): RunningGenerators {
  if (groups.length === 1) return { ...runSlices(groups[0]!, onMessage), pids: [] };
  let failedNow: ((error: Error) => void) | undefined;
  const failed = new Promise<Error>((resolve) => (failedNow = resolve));
  const children = groups.map((slices) => {
    const child = fork(generatorEntry, [], {
      execArgv: [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, [parentPidEnv]: String(process.pid) },
    });
    const finished = new Promise<Error[]>((resolve) => {
      let errors: Error[] | undefined;
      child.on('message', (message: FromGenerator) => {
        if (message.type === 'done') {
          errors = message.errors.map((text) => new Error(text));
          if (errors[0]) failedNow?.(errors[0]);
        } else if (message.type === 'failed') {
          failedNow?.(new Error(message.error));
        } else {
          onMessage(message);
        }
      });
      child.once('close', (code, signal) => {
        const lost = errors ?? [new Error(`generator process ${child.pid} exited (${signal ?? `code ${code}`}) before finishing`)];
        if (lost[0]) failedNow?.(lost[0]);
        resolve(lost);
      });
      child.on('error', () => {});
    });
    const message: ToGenerator = { type: 'run', slices };
    child.send(message);
    return { child, finished };
  });
  return {
    pids: children.map(({ child }) => child.pid!).filter((pid) => pid !== undefined),
    finished: Promise.all(children.map(({ finished }) => finished)).then((lists) => lists.flat()),
    failed,
    start(request) {
      for (const { child } of children) if (child.connected) child.send(request);
    },
    stop() {
      const message: ToGenerator = { type: 'stop' };
      for (const { child } of children) if (child.connected) child.send(message);
    },
    async destroy() {
      for (const { child } of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    },
  };
}
