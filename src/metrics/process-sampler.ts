// CPU and memory of a process: the generator itself (all its threads) or a local target
// read from /proc/<pid>. CPU is turned into a percentage of one core over the time between
// two samples, so 150% means one and a half cores busy.
import { readFileSync } from 'node:fs';

export interface ProcessSample {
  /** Epoch ms. */
  at: number;
  /** User + system CPU time consumed so far, in ms. */
  cpuMs: number;
  rssBytes: number;
}

/** Linux's USER_HZ, the unit of utime and stime in /proc/<pid>/stat, is 100 on every mainstream build. */
const clockTicksPerSecond = 100;

export function sampleSelf(): ProcessSample {
  const usage = process.cpuUsage();
  return { at: Date.now(), cpuMs: (usage.user + usage.system) / 1000, rssBytes: process.memoryUsage.rss() };
}

/** Undefined when the process is gone or /proc is not there (not Linux). */
export function sampleProcess(pid: number): ProcessSample | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: split after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return { at: Date.now(), cpuMs: (ticks / clockTicksPerSecond) * 1000, rssBytes: rssKib * 1024 };
  } catch {
    return undefined;
  }
}

export function cpuPercent(from: ProcessSample | undefined, to: ProcessSample | undefined): number {
  if (!from || !to || to.at <= from.at) return 0;
  return ((to.cpuMs - from.cpuMs) / (to.at - from.at)) * 100;
}

export function openFileLimit(): number | undefined {
  try {
    const limits = readFileSync('/proc/self/limits', 'utf8');
    const match = /Max open files\s+(\d+|unlimited)\s+/.exec(limits);
    return match?.[1] && match[1] !== 'unlimited' ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * CPU and memory of several processes added up (the generator and its extra generator
 * processes, or every process of the built-in target). A process that has exited keeps
 * its last CPU reading, so the group's CPU time never goes backwards.
 */
export class ProcessGroup {
  private readonly last = new Map<number, ProcessSample>();

  constructor(
    private readonly pids: number[],
    private readonly includeSelf: boolean,
  ) {}

  get empty(): boolean {
    return this.pids.length === 0 && !this.includeSelf;
  }

  sample(): ProcessSample | undefined {
    if (this.empty) return undefined;
    const samples: ProcessSample[] = this.includeSelf ? [sampleSelf()] : [];
    for (const pid of this.pids) {
      const sample = sampleProcess(pid);
      if (sample) this.last.set(pid, sample);
      const known = sample ?? this.last.get(pid);
      if (known) samples.push(sample ? known : { ...known, rssBytes: 0 });
    }
    return {
      at: Date.now(),
      cpuMs: samples.reduce((sum, sample) => sum + sample.cpuMs, 0),
      rssBytes: samples.reduce((sum, sample) => sum + sample.rssBytes, 0),
    };
  }
}
