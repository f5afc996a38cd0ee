// Finding the processes a test's sockcap started, by a mark in their environment, which
// every child inherits: what is left of them shows an orphan.
import { readdirSync, readFileSync } from 'node:fs';

/** pids of every process whose environment carries `mark`. */
export function marked(mark: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/environ`, 'latin1').includes(mark)) pids.push(Number(name));
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return pids;
}
