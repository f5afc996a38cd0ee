// Preloaded with --import in a test (NODE_OPTIONS reaches every thread and process sockcap
// starts): a piscina worker thread throws an uncaught error 4 s after it starts, a real
// crash of a generator thread in the middle of a step.
import { isMainThread } from 'node:worker_threads';

if (!isMainThread) {
  setTimeout(() => {
    throw new Error('injected crash of a worker thread');
  }, 4000);
}
