// Which processes make up a server: a master and the workers it forked (nginx, a Node
// cluster, gunicorn), found by walking parent pids in /proc. Read again at every sample,
// since a master may replace a worker during a run.
import { readdirSync, readFileSync } from 'node:fs';

interface ProcessEntry {
  ppid: number;
  /** The command name (/proc/<pid>/comm), at most 15 characters. */
  name: string;
}

/** Every process visible in /proc, by pid; empty where there is no /proc (not Linux). */
function processTable(): Map<number, ProcessEntry> {
  const table = new Map<number, ProcessEntry>();
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return table;
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // The command name (field 2) may contain spaces and parentheses: it ends at the last ')'.
      const close = stat.lastIndexOf(')');
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      table.set(Number(name), { ppid, name: stat.slice(stat.indexOf('(') + 1, close) });
    } catch {
      // It exited between the listing and the read.
    }
  }
  return table;
}

/** The roots and every descendant of them that is alive now, roots first. */
export function processTree(roots: readonly number[]): number[] {
  const table = processTable();
  const children = new Map<number, number[]>();
  for (const [pid, entry] of table) {
    const siblings = children.get(entry.ppid);
    if (siblings) siblings.push(pid);
    else children.set(entry.ppid, [pid]);
  }
  const found: number[] = [];
  const seen = new Set<number>();
  const queue = roots.filter((pid) => table.has(pid));
  while (queue.length > 0) {
    const pid = queue.shift()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    found.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}

/**
 * Processes whose command name or command line contains `pattern`, with their children;
 * `excluding` (the caller itself) never counts, nor do its children.
 */
export function matchingProcessTree(pattern: string, excluding: number): number[] {
  const table = processTable();
  const roots: number[] = [];
  for (const [pid, entry] of table) {
    if (pid === excluding || entry.ppid === excluding) continue;
    if (entry.name.includes(pattern) || commandLine(pid).includes(pattern)) roots.push(pid);
  }
  return processTree(roots).filter((pid) => pid !== excluding);
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}
