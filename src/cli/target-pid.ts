// `--target-pid`: the process whose CPU and memory are sampled as the target's. A pid that is
// not a number or names no process would leave the target's columns silently empty.
import { UsageError } from '../errors.js';

export function targetPidFlag(value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value <= 0) throw new UsageError('--target-pid: expected the process id of the target, a whole number like 4242');
  try {
    process.kill(value, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to another user; /proc still shows its CPU and memory.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') throw new UsageError(`--target-pid ${value}: no such process (give the pid of the running target)`);
  }
  return value;
}
