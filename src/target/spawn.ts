// The generator's side of the built-in target: fork it into its own process (so its CPU
// and memory are sampled apart from the generator's), ask it for stats, stop it.

import { fork, type ChildProcess } from 'node:child_process';
import { RunBrokenError, SockcapError, UsageError } from '../errors.js';
import { parentPidEnv, targetOptionsEnv, type ChildMessage, type ParentMessage } from './messages.js';
import type { TargetOptions } from './server.js';
import type { TargetStats } from '../results/target-stats.js';

export interface TargetProcess {
  url: string;
  pid: number;
  /** The certificate a TLS target serves, for the generator to trust; undefined without TLS. */
  trustedCa: string | undefined;
  /** Rejects with RunBrokenError once the child has exited without being stopped. */
  stats(): Promise<TargetStats>;
  /**
   * Asks the child to stop (SIGTERM when the IPC channel is gone), waits up to 5 s for it
   * to exit (or what `waitForExit` allows: less after a signal), then SIGKILLs it. Resolves with its final stats, or the last ones it reported
   * when it was killed; rejects with RunBrokenError when it had already died or never
   * reported any. Calling it again returns the same promise.
   */
  stop(waitForExit?: WaitForExit): Promise<TargetStats>;
  /** Has the target drop every open connection at once (reconnect-storm). */
  dropAll(): void;
  /** Resolves, saying which process died and how, when it exits without being asked to; never otherwise. */
  died: Promise<RunBrokenError>;
}

/** Waits for `exit` at most `usualMs` (or less); true when it came. */
export type WaitForExit = (exit: Promise<void>, usualMs: number) => Promise<boolean>;

const childPath = new URL('./child.js', import.meta.url);
const startupTimeoutMs = 10_000;
const stopTimeoutMs = 5_000;

export async function spawnTarget(options: TargetOptions): Promise<TargetProcess> {
  const child = fork(childPath, [], {
    env: { ...process.env, [targetOptionsEnv]: JSON.stringify(options), [parentPidEnv]: String(process.pid) },
    // The generator's own Node flags (--inspect, --max-old-space-size, a test runner's)
    // would clash with or distort a separately measured target.
    execArgv: [],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const ready = await waitForReady(child, options);
  return { ...track(child, ready.url, ready.pid), trustedCa: options.tls?.cert };
}

function waitForReady(child: ChildProcess, options: TargetOptions): Promise<{ url: string; pid: number }> {
  return new Promise((resolve, reject) => {
    const fail = (err: SockcapError): void => {
      cleanup();
      child.kill('SIGKILL');
      reject(err);
    };
    const onMessage = (message: ChildMessage): void => {
      if (message.type === 'ready') {
        cleanup();
        resolve({ url: message.url, pid: message.pid });
      } else if (message.type === 'error') {
        fail(startupError(options, message.code, message.message));
      }
    };
    const onClose = (code: number | null, signal: NodeJS.Signals | null): void => {
      fail(new RunBrokenError(`built-in target exited during startup (${exitDescription(code, signal)})`));
    };
    const onError = (err: Error): void => {
      fail(new RunBrokenError(`built-in target could not be started: ${err.message}`));
    };
    const timer = setTimeout(() => {
      fail(new RunBrokenError(`built-in target did not start within ${startupTimeoutMs / 1000} s`));
    }, startupTimeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('close', onClose);
      child.off('error', onError);
    };
    child.on('message', onMessage);
    // 'close', not 'exit': it comes after the IPC channel is drained, so an 'error'
    // message sent just before exiting is not lost to the race.
    child.on('close', onClose);
    child.on('error', onError);
  });
}

function startupError(options: TargetOptions, code: string, message: string): SockcapError {
  const where = `${options.host ?? '127.0.0.1'}:${options.port ?? 0}`;
  if (code === 'EADDRINUSE') {
    return new UsageError(`built-in target: ${where} is in use: pick another port, or 0 for any free port`);
  }
  if (code === 'EACCES') {
    return new UsageError(`built-in target: no permission to listen on ${where}: pick a port above 1023`);
  }
  return new RunBrokenError(`built-in target failed to start: ${message}`);
}

function track(child: ChildProcess, url: string, pid: number): Omit<TargetProcess, 'trustedCa'> {
  const pending = new Map<number, { resolve: (stats: TargetStats) => void; reject: (err: Error) => void }>();
  let nextId = 0;
  // Final stats once the child says 'stopped', else the latest answer to stats().
  let lastStats: TargetStats | undefined;
  let stopRequested = false;
  let broken: RunBrokenError | undefined;
  let exited = false;
  let diedNow: ((error: RunBrokenError) => void) | undefined;
  const died = new Promise<RunBrokenError>((resolve) => (diedNow = resolve));

  const exit = new Promise<void>((resolve) => {
    // 'close' waits for the IPC channel to drain, so a 'stopped' message is seen first.
    child.once('close', (code, signal) => {
      exited = true;
      if (!stopRequested) {
        const how = exitDescription(code, signal);
        broken = new RunBrokenError(`built-in target (pid ${pid}) exited unexpectedly (${how})`);
        diedNow?.(broken);
      }
      const err = broken ?? new RunBrokenError(`built-in target (pid ${pid}) was stopped`);
      for (const request of pending.values()) request.reject(err);
      pending.clear();
      resolve();
    });
  });
  // A child killed mid-send makes the channel emit errors; the 'close' handler reports it.
  child.on('error', () => {});

  child.on('message', (message: ChildMessage) => {
    if (message.type === 'stats') {
      lastStats = message.stats;
      pending.get(message.id)?.resolve(message.stats);
      pending.delete(message.id);
    } else if (message.type === 'stopped') {
      lastStats = message.stats;
    }
  });

  const send = (message: ParentMessage): boolean => {
    if (!child.connected) return false;
    child.send(message);
    return true;
  };

  const stats = (): Promise<TargetStats> => {
    if (broken) return Promise.reject(broken);
    if (exited || stopRequested) return Promise.reject(new RunBrokenError(`built-in target (pid ${pid}) was stopped`));
    return new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      if (!send({ type: 'stats', id })) {
        pending.delete(id);
        reject(new RunBrokenError(`built-in target (pid ${pid}) is no longer reachable`));
      }
    });
  };

  let stopping: Promise<TargetStats> | undefined;
  const stop = (waitForExit: WaitForExit = exitsWithin): Promise<TargetStats> => {
    stopping ??= (async () => {
      if (broken) throw broken;
      stopRequested = true;
      if (!send({ type: 'stop' })) child.kill('SIGTERM');
      if (!(await waitForExit(exit, stopTimeoutMs))) {
        child.kill('SIGKILL');
        await exit;
      }
      if (!lastStats) throw new RunBrokenError(`built-in target (pid ${pid}) was killed before it reported any stats`);
      return lastStats;
    })();
    return stopping;
  };

  const dropAll = (): void => {
    send({ type: 'drop' });
  };
  return { url, pid, stats, stop, dropAll, died };
}

async function exitsWithin(exit: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const result = await Promise.race([exit.then(() => true), timeout]);
  clearTimeout(timer);
  return result;
}

function exitDescription(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `signal ${signal}` : `exit code ${code}`;
}
