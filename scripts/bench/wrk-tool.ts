// wrk (C, epoll) with one thread: the lower limit of what a load generator can cost per
// request on this machine. Its CPU comes from GNU time (wait4's rusage, exact to 10 ms)
// when /usr/bin/time exists, else from /proc polling; either covers its whole life, which
// for wrk is the measured run (it has no warm-up and starts in milliseconds).
import { describeFailure, runChild } from './processes.js';
import { hasGnuTime, runTimed } from './timed.js';
import { failedRun, type ToolRun } from './tool-run.js';

export const wrkTool = 'wrk -t1 (limit)';

export function wrkCpuSource(): string {
  return hasGnuTime()
    ? 'wrk: user + system time from /usr/bin/time (whole process, no warm-up)'
    : 'wrk: utime + stime from /proc/<pid>/stat polled every 100 ms (whole process, no warm-up)';
}

const secondsPerUnit: Record<string, number> = { us: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

export async function runWrk(url: string, connections: number, durationMs: number): Promise<ToolRun> {
  const seconds = Math.max(1, Math.round(durationMs / 1000));
  const wrkArgs = ['-t1', `-c${connections}`, `-d${seconds}s`, url];
  const timed = hasGnuTime() ? await runTimed('wrk', wrkArgs, durationMs + 30_000) : undefined;
  const result = timed ? timed.result : await runChild('wrk', wrkArgs, durationMs + 30_000);
  const done = /(\d+) requests in ([\d.]+)(us|ms|s|m|h)/.exec(result.stdout);
  if (result.code !== 0 || !done) return failedRun(wrkTool, 1, describeFailure('wrk', result));
  const cpuS = timed?.cpuS ?? result.lifetimeCpuMs / 1000;
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(result.stdout);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(result.stdout);
  const errors = (socketErrors ? socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0) + Number(non2xx?.[1] ?? 0);
  return {
    tool: wrkTool,
    round: 1,
    count: Number(done[1]),
    seconds: Number(done[2]) * secondsPerUnit[done[3]!]!,
    cpuS,
    lifetimeCpuS: cpuS,
    errors,
  };
}
