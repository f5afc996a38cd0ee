// Checks a plan against the machine's limits before any load: the open-file limit is per
// process (every socket is a file, and the built-in target holds the other end of each),
// and one source address reaches one destination through at most the ephemeral port range.
import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { openFileLimit } from '../metrics/process-sampler.js';
import type { StepScenario } from '../scenario/types.js';

/** Files a Node process holds besides its sockets (stdio, epoll, worker pipes, libuv). */
const headroom = 200;

export function ephemeralPorts(): number | undefined {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    return low !== undefined && high !== undefined ? high - low + 1 : undefined;
  } catch {
    return undefined;
  }
}

/** Throws when a step cannot possibly run; returns warnings for steps that may hit a limit. */
export function checkLimits(steps: StepScenario[], limit = openFileLimit(), ports = ephemeralPorts()): string[] {
  const warnings: string[] = [];
  for (const step of steps) {
    const sockets = step.connections;
    if (limit !== undefined && sockets + headroom > limit) {
      const processes = Math.ceil(sockets / (limit - headroom));
      throw new UsageError(
        `step ${step.stepLabel}: ${sockets} connections need ${sockets} sockets in one process, but the open-file limit is ${limit} per process ` +
          `(ulimit -n): use at most ${limit - headroom} connections per process, i.e. ${processes} processes for this step`,
      );
    }
    if (ports !== undefined && sockets > ports * 0.9) {
      warnings.push(
        `step ${step.stepLabel}: ${sockets} connections to one address use most of the ${ports} ephemeral ports of one source address; ` +
          'expect EADDRNOTAVAIL (add source addresses such as 127.0.0.2, or raise net.ipv4.ip_local_port_range)',
      );
    }
  }
  return warnings;
}
