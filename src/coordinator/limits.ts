// Checks a plan against the machine's limits before any load: the open-file limit is per
// process (every socket is a file, and the built-in target holds the other end of each),
// and one source address reaches one destination address and port through at most the
// ephemeral port range.
import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { openFileLimit } from '../metrics/process-sampler.js';
import type { StepScenario } from '../scenario/types.js';

/** Files a Node process holds besides its sockets (stdio, epoll, worker pipes, libuv). */
const headroom = 200;
/** Without /proc (not Linux): a common default. */
const assumedLimit = 1024;

export function socketsPerProcess(limit = openFileLimit() ?? assumedLimit): number {
  return Math.max(1, limit - headroom);
}

/** How many processes `connections` sockets need: the `auto` of `processes` and `server.processes`. */
export function processesFor(connections: number, limit?: number): number {
  return Math.max(1, Math.ceil(connections / socketsPerProcess(limit)));
}

/**
 * How many built-in target processes `connections` need: enough for the open-file limit,
 * and enough ports that no (source, destination) pair uses more than ~30% of the
 * ephemeral range. Past that, the kernel's search for a free port in connect() grows with
 * every connection: measured here, opening fell from 4,000/s to 1,000/s past 85,000
 * connections on 6 ports, and stayed at 4,000/s on 12.
 */
export function targetProcessesFor(connections: number, limit?: number, ports = ephemeralPorts() ?? 28_232): number {
  return Math.max(processesFor(connections, limit), Math.ceil(connections / (ports * portShare)));
}

const portShare = 0.3;

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
  const perProcess = socketsPerProcess(limit);
  for (const step of steps) {
    const needed = processesFor(step.connections, limit);
    const tooFew = (given: number, field: string): void => {
      if (given === 0 || given >= needed) return;
      throw new UsageError(
        `step ${step.stepLabel}: ${step.connections} connections over ${field}: ${given} is ${Math.ceil(step.connections / given)} sockets per process, ` +
          `but the open-file limit is ${limit} per process (ulimit -n, at most ${perProcess} connections each): set ${field}: ${needed} or more (or auto)`,
      );
    };
    tooFew(step.processes, 'processes');
    if (step.target === undefined) tooFew(step.server.processes, 'server.processes');
    if (ports === undefined) continue;
    const destinations = step.target === undefined ? step.server.processes || targetProcessesFor(step.connections, limit, ports) : 1;
    const pairs = Math.max(1, step.sources.length) * destinations;
    const perPair = Math.ceil(step.connections / pairs);
    if (perPair > ports * 0.9) {
      warnings.push(
        `step ${step.stepLabel}: about ${perPair} connections per source address and destination, close to the ${ports} ephemeral ports each pair has; ` +
          `expect EADDRNOTAVAIL: add source addresses (sources: 127.0.0.1-127.0.0.${Math.ceil(step.connections / (ports * 0.8))})`,
      );
    }
  }
  return warnings;
}
