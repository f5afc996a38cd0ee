// Runs a command under GNU time and reads what the kernel billed it: user + system CPU of
// the whole process and every child it waited for, over its whole life (wait4's rusage,
// exact to 10 ms). What `time sockcap run` shows a user.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runChild, type ChildResult } from './processes.js';

export const timePath = '/usr/bin/time';

export function hasGnuTime(): boolean {
  return existsSync(timePath);
}

/** The child's result and its whole-life CPU seconds (undefined when time wrote nothing). */
export async function runTimed(command: string, args: string[], timeoutMs: number): Promise<{ result: ChildResult; cpuS: number | undefined }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sockcap-bench-time-'));
  const timeFile = path.join(dir, 'time.txt');
  try {
    const result = await runChild(timePath, ['-f', '%U %S', '-o', timeFile, command, ...args], timeoutMs);
    const last = existsSync(timeFile) ? readFileSync(timeFile, 'utf8').trim().split('\n').pop() : undefined;
    const [user, system] = (last ?? '').split(' ').map(Number);
    const cpuS = user !== undefined && system !== undefined && Number.isFinite(user) && Number.isFinite(system) ? user + system : undefined;
    return { result, cpuS };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
