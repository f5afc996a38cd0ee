// Entry point of an extra generator process. The open-file limit is per process, so past
// ~20,000 sockets sockcap runs several of these, each with its own piscina pool, and
// streams their snapshots back to the coordinator over the fork() IPC channel.
// This is a process of its own, so it ends itself with process.exit.
// First, before the pool and the drivers load: end with the coordinator, however it dies.
import '../target/parent-watch.js';
import type { Slice, StartRequest, WorkerToCoordinator } from '../worker/messages.js';
import { runSlices, type RunningSlices } from './pool.js';

export type ToGenerator = { type: 'run'; slices: Slice[] } | StartRequest | { type: 'stop' };
export type FromGenerator = WorkerToCoordinator | { type: 'done'; errors: string[] } | { type: 'failed'; error: string };

let running: RunningSlices | undefined;

function send(message: FromGenerator): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) {
      resolve();
      return;
    }
    process.send(message, undefined, {}, () => resolve());
  });
}

// Ctrl-C reaches the whole process group; the coordinator decides and tells us to stop.
process.on('SIGINT', () => {});
process.on('disconnect', () => {
  running?.stop();
  setTimeout(() => process.exit(0), 3000).unref();
});
process.on('message', (message: ToGenerator) => {
  if (message.type === 'stop') {
    running?.stop();
    return;
  }
  if (message.type === 'start') {
    running?.start(message);
    return;
  }
  running = runSlices(message.slices, (snapshot) => void send(snapshot));
  // Said at once, so the coordinator stops the step now rather than at its end.
  void running.failed.then((error) => send({ type: 'failed', error: error.message }));
  void running.finished.then(async (errors) => {
    await running?.destroy();
    await send({ type: 'done', errors: errors.map((error) => error.message) });
    process.exit(0);
  });
});
