// Imported first by every process sockcap forks (the built-in target, extra generator
// processes), so it runs before anything else is loaded: such a process ends when the
// process that forked it is gone, however that one died. A SIGKILL leaves the parent no
// time to stop its children, so each child watches for itself, and none is left behind.
import { parentPidEnv } from './messages.js';

/** An orphan may take this long to finish on its own (the target sends its last stats) before it is ended. */
const graceMs = 1000;
const pollMs = 200;

const expected = Number(process.env[parentPidEnv]);
if (Number.isInteger(expected) && expected > 0) {
  // The parent may have died before this process ran its first line: then it was adopted already.
  if (process.ppid !== expected) process.exit(1);
  const orphaned = (): void => {
    setTimeout(() => process.exit(1), graceMs);
  };
  // The IPC channel closes when the parent dies; the pid check covers a channel never opened.
  process.once('disconnect', orphaned);
  setInterval(() => {
    if (process.ppid !== expected) process.exit(1);
  }, pollMs).unref();
}
