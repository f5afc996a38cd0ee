// CPU and memory of a process: the generator itself (all its threads) or a local target
// read from /proc/<pid>. CPU is turned into a percentage of one core over the time between
// two samples, so 150% means one and a half cores busy.
import { readdirSync, readFileSync } from 'node:fs';
import { processTree } from './process-tree.js';

export interface ProcessSample {
  /** Epoch ms. */
  at: number;
  /** User + system CPU time consumed so far, in ms. */
  cpuMs: number;
  rssBytes: number;
  /** Open file descriptors (sockets among them); undefined when they cannot be counted. */
  openFds?: number | undefined;
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
    return { at: Date.now(), cpuMs: (ticks / clockTicksPerSecond) * 1000, rssBytes: rssKib * 1024, openFds: openFds(pid) };
  } catch {
    return undefined;
  }
}

/** Another user's descriptors are readable only with privileges: undefined then. */
function openFds(pid: number): number | undefined {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
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

/** What the server's columns are read from: /proc here, or a metrics endpoint elsewhere. */
export interface ServerSampler {
  /** The latest reading; undefined when there is none for now (a process gone, a scrape that failed). */
  sample(): ProcessSample | undefined;
  /** Where the figures come from, for the console and run.json ("pid 812 and 2 child processes (3 summed)"). */
  describe(): string;
  /** Takes a reading now and waits for it: the samples costs are computed from must be of their moment. */
  refresh(): Promise<void>;
  stop(): void;
}

/**
 * CPU and memory of several processes added up (the generator and its extra generator
 * processes, every process of the built-in target, or a --target-pid and its children).
 * A process that has exited keeps its last CPU reading, so the group's CPU time never goes
 * backwards.
 */
export class ProcessGroup implements ServerSampler {
  private readonly last = new Map<number, ProcessSample>();
  /** Processes the latest sample added up (the children found that time included). */
  processCount = 0;

  constructor(
    /** The processes, or how to find them again at each sample (`sockcap agent --match`). */
    private readonly pids: number[] | (() => number[]),
    private readonly includeSelf: boolean,
    /** Also the children of `pids`, and theirs (a master and the workers it forked). */
    private readonly withChildren = false,
  ) {}

  get empty(): boolean {
    return Array.isArray(this.pids) && this.pids.length === 0 && !this.includeSelf;
  }

  /** /proc is read at each sample(): nothing to wait for. */
  async refresh(): Promise<void> {}

  stop(): void {}

  describe(): string {
    const roots = this.roots();
    if (!this.withChildren) return `pid ${roots.join(', ')}`;
    this.sample();
    const children = this.processCount - roots.length;
    return `pid ${roots.join(', ')} and ${children} child process${children === 1 ? '' : 'es'} (${this.processCount} summed)`;
  }

  private roots(): number[] {
    return Array.isArray(this.pids) ? this.pids : this.pids();
  }

  sample(): ProcessSample | undefined {
    if (this.empty) return undefined;
    const samples: ProcessSample[] = this.includeSelf ? [sampleSelf()] : [];
    const roots = this.roots();
    const alive = this.withChildren ? processTree(roots) : roots;
    const now = new Map<number, ProcessSample>();
    for (const pid of alive) {
      const sample = sampleProcess(pid);
      if (sample) now.set(pid, sample);
    }
    for (const [pid, sample] of now) this.last.set(pid, sample);
    for (const pid of new Set([...roots, ...this.last.keys()])) {
      const sample = now.get(pid);
      const known = sample ?? this.last.get(pid);
      // A process that exited still counts the CPU it used, but holds no memory now.
      if (known) samples.push(sample ? known : { ...known, rssBytes: 0, openFds: 0 });
    }
    this.processCount = now.size;
    const fds = samples.map((sample) => sample.openFds);
    return {
      at: Date.now(),
      cpuMs: samples.reduce((sum, sample) => sum + sample.cpuMs, 0),
      rssBytes: samples.reduce((sum, sample) => sum + sample.rssBytes, 0),
      openFds: this.includeSelf || fds.some((count) => count === undefined) ? undefined : fds.reduce<number>((sum, count) => sum + count!, 0),
    };
  }
}
