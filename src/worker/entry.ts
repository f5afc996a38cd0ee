// The piscina task: one long task per worker thread, running one slice to its end.
import { runSlice } from './run-slice.js';
import type { SliceTask } from './messages.js';

export default function runTask(task: SliceTask): Promise<void> {
  return runSlice(task.slice, task.port);
}
