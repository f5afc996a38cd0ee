// What /proc says of one process (not its children): the figures tests hold sockcap's own against.
import { readFileSync } from 'node:fs';

/** utime + stime in ms (USER_HZ is 100), and resident memory now. */
export function procOf(pid: number): { cpuMs: number; rssBytes: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const rssKib = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  return { cpuMs: (Number(fields[11]) + Number(fields[12])) * 10, rssBytes: rssKib * 1024 };
}

/** A short wrk-style run of `target` the server-figure tests share: 2 s measured, 500 ms intervals, one worker thread. */
export function shortRun(target: string, connections: number): string[] {
  return ['run', '--target', target, '-c', String(connections), '-d', '2s', '-w', '1', '--set', 'warmup=0s', '--set', 'interval=500ms'];
}
