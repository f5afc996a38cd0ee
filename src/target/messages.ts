// What the generator and the built-in target's child process say to each other over the
// fork() IPC channel. The child reads its TargetOptions, as JSON, from the environment
// variable named by `targetOptionsEnv`, so its argv stays free for Node flags.

import type { TargetStats } from '../results/target-stats.js';

export const targetOptionsEnv = 'SOCKCAP_TARGET_OPTIONS';
/** The pid of the process that forked a child: the child ends when that one is gone (parent-watch.ts). */
export const parentPidEnv = 'SOCKCAP_PARENT_PID';

/** Parent to child. `id` pairs a stats request with its answer. */
export type ParentMessage = { type: 'stats'; id: number } | { type: 'stop' } | { type: 'drop' };

/** Child to parent. */
export type ChildMessage =
  | { type: 'ready'; url: string; pid: number }
  | { type: 'stats'; id: number; stats: TargetStats }
  | { type: 'stopped'; stats: TargetStats }
  /** Startup failed; `code` is the system error code (EADDRINUSE, EACCES) when there is one. */
  | { type: 'error'; code: string; message: string };
