// TCP sockets of one local port by state, from /proc/net/tcp and /proc/net/tcp6 (those of
// the network namespace this process runs in: a sidecar sees its pod's). A server's
// connections are the sockets whose local port is the one it listens on: `established` are
// the connections it holds (idle keep-alive ones among them), `time-wait` the churn of
// connections it closed first, `close-wait` those the client closed and it has not yet.
import { readFile } from 'node:fs/promises';

/** The kernel's state numbers (include/net/tcp_states.h), named as `ss` names them. */
const states: Record<number, string> = {
  1: 'established',
  2: 'syn-sent',
  3: 'syn-recv',
  4: 'fin-wait-1',
  5: 'fin-wait-2',
  6: 'time-wait',
  7: 'close',
  8: 'close-wait',
  9: 'last-ack',
  10: 'listen',
  11: 'closing',
};

/**
 * Every state's count for `port` (0 for none), both address families together. Read
 * asynchronously: with tens of thousands of sockets the kernel takes hundreds of ms to
 * write these files, and the agent must go on answering meanwhile.
 */
export async function tcpStates(port: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = Object.fromEntries(Object.values(states).map((state) => [state, 0]));
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      // No IPv6 in this kernel or namespace.
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      const state = states[Number.parseInt(fields[3] ?? '', 16)];
      if (local === undefined || state === undefined) continue;
      if (Number.parseInt(local.slice(local.lastIndexOf(':') + 1), 16) === port) counts[state]!++;
    }
  }
  return counts;
}
