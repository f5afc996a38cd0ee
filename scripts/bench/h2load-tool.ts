// h2load (nghttp2's C client) with one thread: the reference for what an HTTP/2 load
// generator costs per request. Its CPU comes from GNU time when /usr/bin/time exists, else
// from /proc polling; like wrk it has no warm-up, so its whole life is the measured run.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeFailure, runChild } from './processes.js';
import { failedRun, type ToolRun } from './tool-run.js';

export const h2loadTool = 'h2load -t1';
const timePath = '/usr/bin/time';

export function h2loadCpuSource(): string {
  return existsSync(timePath)
    ? 'h2load: user + system time from /usr/bin/time (whole process, no warm-up)'
    : 'h2load: utime + stime from /proc/<pid>/stat polled every 100 ms (whole process, no warm-up)';
}

export interface H2loadOptions {
  url: string;
  connections: number;
  streams: number;
  durationMs: number;
  round: number;
}

export async function runH2load(options: H2loadOptions): Promise<ToolRun> {
  const seconds = Math.max(1, Math.round(options.durationMs / 1000));
  const args = ['-t1', `-c${options.connections}`, `-m${options.streams}`, `-D${seconds}`, options.url];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sockcap-bench-h2load-'));
  const timeFile = path.join(dir, 'time.txt');
  const useTime = existsSync(timePath);
  try {
    const result = useTime
      ? await runChild(timePath, ['-f', '%U %S', '-o', timeFile, 'h2load', ...args], options.durationMs + 30_000)
      : await runChild('h2load', args, options.durationMs + 30_000);
    const finished = /finished in ([\d.]+)s/.exec(result.stdout);
    const requests = /requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout/.exec(result.stdout);
    if (result.code !== 0 || !finished || !requests) return failedRun(h2loadTool, options.round, describeFailure('h2load', result));
    let cpuS = result.lifetimeCpuMs / 1000;
    if (useTime) {
      const [user, system] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
      cpuS = (user ?? 0) + (system ?? 0);
    }
    return {
      tool: h2loadTool,
      round: options.round,
      count: Number(requests[1]),
      seconds: Number(finished[1]),
      cpuS,
      lifetimeCpuS: cpuS,
      errors: Number(requests[2]) + Number(requests[3]) + Number(requests[4]),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
