// Every tool and every target runs as its own child process. Generators are run to their
// end while their CPU is read from /proc; servers are started, their URL read from their
// first line, and stopped. All children are tracked so Ctrl-C leaves nothing running.
import { spawn, type ChildProcess } from 'node:child_process';
import { sampleProcess } from '../../src/metrics/process-sampler.js';

const running = new Set<ChildProcess>();
const cleanups = new Set<() => void>();

/** Runs `cleanup` if the bench is interrupted; the returned function unregisters it. */
export function cleanupOnSignal(cleanup: () => void): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

// Each child leads its own process group, so a signal also reaches what it started in
// turn (wrk under /usr/bin/time, nginx's worker).
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is already gone
  }
}

/** Ctrl-C or SIGTERM: stop every child this bench started, then exit. */
export function stopChildrenOnSignal(): void {
  const onSignal = (): void => {
    for (const child of running) signalGroup(child, 'SIGTERM');
    for (const cleanup of cleanups) cleanup();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /**
   * utime + stime of the whole process (all threads) over its life, from the last
   * /proc/<pid>/stat reading before it exited (polled every 100 ms, so up to 100 ms of
   * its end may be missing).
   */
  lifetimeCpuMs: number;
  timedOut: boolean;
}

const pollMs = 100;

export function runChild(command: string, args: string[], timeoutMs: number): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    running.add(child);
    let stdout = '';
    let stderr = '';
    let lifetimeCpuMs = 0;
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const poll = setInterval(() => {
      const sample = child.pid === undefined ? undefined : sampleProcess(child.pid);
      if (sample) lifetimeCpuMs = sample.cpuMs;
    }, pollMs);
    const timer = setTimeout(() => {
      timedOut = true;
      signalGroup(child, 'SIGKILL');
    }, timeoutMs);
    child.once('error', (error) => {
      clearInterval(poll);
      clearTimeout(timer);
      running.delete(child);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearInterval(poll);
      clearTimeout(timer);
      running.delete(child);
      resolve({ code, signal, stdout, stderr, lifetimeCpuMs, timedOut });
    });
  });
}

/** The last line of a child's output that parses as a JSON object. */
export function lastJsonLine<T>(stdout: string): T | undefined {
  const lines = stdout.trim().split('\n').reverse();
  for (const line of lines) {
    if (!line.startsWith('{')) continue;
    try {
      return JSON.parse(line) as T;
    } catch {
      continue;
    }
  }
  return undefined;
}

export function describeFailure(name: string, result: ChildResult): string {
  const how = result.timedOut ? 'timed out' : result.signal ? `signal ${result.signal}` : `exit code ${result.code}`;
  // A Node crash prints a stack under its error line: the error line is what says why.
  const lines = result.stderr
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const why = lines.find((line) => /^\w*Error\b|^error:/i.test(line)) ?? lines.at(-1);
  return `${name} failed (${how})${why ? `: ${why}` : ''}`;
}

export interface ServerProcess {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

const startupTimeoutMs = 10_000;
const stopTimeoutMs = 5_000;

/**
 * Starts a server and resolves once a line of its stdout matches `ready` (its first capture
 * group is the URL). A custom `isReady` replaces the line for servers that print nothing.
 */
export function startServer(name: string, command: string, args: string[], ready: RegExp | ((pid: number) => Promise<string>)): Promise<ServerProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    running.add(child);
    let output = '';
    let settled = false;
    const exited = new Promise<void>((resolveExit) => child.once('close', () => resolveExit()));
    const stop = async (): Promise<void> => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), stopTimeoutMs);
      await exited;
      clearTimeout(timer);
      running.delete(child);
    };
    const fail = (message: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signalGroup(child, 'SIGKILL');
      running.delete(child);
      const tail = output.trim().split('\n').slice(-3).join(' | ');
      reject(new Error(`${name}: ${message}${tail ? `: ${tail}` : ''}`));
    };
    const succeed = (url: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ url, pid: child.pid!, stop });
    };
    const timer = setTimeout(() => fail(`not ready within ${startupTimeoutMs / 1000} s`), startupTimeoutMs);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      if (ready instanceof RegExp) {
        const url = ready.exec(output)?.[1];
        if (url) succeed(url);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.once('error', (error) => fail(error.message));
    child.once('close', (code, signal) => fail(`exited during startup (${signal ?? `exit code ${code}`})`));
    if (typeof ready === 'function' && child.pid !== undefined) {
      ready(child.pid).then(succeed, (error: unknown) => fail(error instanceof Error ? error.message : String(error)));
    }
  });
}

/** Whether an executable of this name is on PATH. */
export async function onPath(name: string): Promise<boolean> {
  const result = await runChild('sh', ['-c', `command -v ${name}`], 5000);
  return result.code === 0;
}
