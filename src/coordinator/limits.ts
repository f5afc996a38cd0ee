// Checks a plan against the machine's limits before any load: the open-file limit is per
// process (every socket is a file, and the built-in target holds the other end of each),
// one source address reaches one destination address and port through at most the
// ephemeral port range, the processes, threads and memory a plan needs must exist, and a
// step must fit Node's timers. A plan past them is refused in one line with the numbers.
import { readFileSync } from 'node:fs';
import { availableParallelism, freemem } from 'node:os';
import { UsageError } from '../errors.js';
import { openFileLimit } from '../metrics/process-sampler.js';
import { maxProcesses } from '../scenario/defaults.js';
import { longestTimer } from '../scenario/quantity-parsers.js';
import { formatDuration } from '../scenario/units.js';
import type { StepScenario } from '../scenario/types.js';
import { totalStageDuration } from '../workloads/arrival-schedule.js';
import { stepPlan } from '../protocols/index.js';

/** Files a Node process holds besides its sockets (stdio, epoll, worker pipes, libuv). */
const headroom = 200;
/** Without /proc (not Linux): a common default. */
const assumedLimit = 1024;

export function socketsPerProcess(limit = openFileLimit() ?? assumedLimit): number {
  return Math.max(1, limit - headroom);
}

/** The most sockets a step's connections hold at once (a Socket.IO client over polling holds two). */
export function socketsOf(step: StepScenario, connections = step.connections): number {
  return connections * stepPlan(step).socketsPerConnection;
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

/** What the machine has, read once per check (tests pass their own). */
export interface Machine {
  openFiles: number | undefined;
  ports: number | undefined;
  memoryBytes: number;
}

export function thisMachine(): Machine {
  return { openFiles: openFileLimit(), ports: ephemeralPorts(), memoryBytes: availableMemory() };
}

/** MemAvailable (what can be had without swapping), else the free memory. */
function availableMemory(): number {
  try {
    const kib = /^MemAvailable:\s+(\d+) kB$/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1];
    if (kib !== undefined) return Number(kib) * 1024;
  } catch {
    // Not Linux: fall through.
  }
  return freemem();
}

// Memory a plan needs, from figures measured on this kind of machine (docs/capacity.md):
// an idle WebSocket costs about 3.5 KiB in the client and 4.4 KiB in a Node server, each
// socket about 4.8 KiB of kernel slab; a Node process about 41 MiB, a worker thread 8.6 MiB.
const clientBytesPerConnection = 3.5 * 1024;
const serverBytesPerConnection = 4.4 * 1024;
const kernelBytesPerSocket = 4.8 * 1024;
const processBytes = 41 * 1024 * 1024;
const threadBytes = 8.6 * 1024 * 1024;
/** What one worker thread may be asked to send: 20 times what one core measured (57k messages/s). */
const perThreadRate = 1_000_000;

const gib = (bytes: number): string => `${(bytes / 2 ** 30).toFixed(1)} GiB`;

/** The processes, threads and memory one shard of a step needs; throws when the machine cannot hold them. */
function checkMachine(step: StepScenario, shardCount: number, machine: Machine): void {
  const where = `step ${step.stepLabel}`;
  const connections = Math.ceil(step.connections / shardCount);
  const perProcess = socketsPerProcess(machine.openFiles);
  const generators = step.processes || processesFor(socketsOf(step, connections), machine.openFiles);
  const builtIn = step.target === undefined;
  const targets = builtIn ? step.server.processes || targetProcessesFor(socketsOf(step), machine.openFiles, machine.ports ?? undefined) : 0;
  const mostConnections = maxProcesses * perProcess;
  if (generators > maxProcesses || targets > maxProcesses) {
    throw new UsageError(
      `${where}: ${step.connections} connections need ${Math.max(generators, targets)} processes of at most ${perProcess} sockets each ` +
        `(open-file limit ${machine.openFiles ?? assumedLimit}), and sockcap starts at most ${maxProcesses}: ` +
        `lower connections to ${mostConnections * shardCount} or less, raise the open-file limit (ulimit -n), or split the run into shards on several machines (--shard)`,
    );
  }
  // Worker threads across the processes (workers: auto takes at most every core), one per process at least.
  const threads = Math.max(generators, Math.min(step.workers || availableParallelism(), connections));
  const sockets = builtIn ? 2 * step.connections : connections;
  const plan = stepPlan(step);
  const payloadBytes = plan.kind === 'send' ? plan.payloadBytes * connections * (builtIn ? 2 : 1) : 0;
  const needed =
    connections * clientBytesPerConnection +
    (builtIn ? step.connections * serverBytesPerConnection : 0) +
    sockets * kernelBytesPerSocket +
    payloadBytes +
    (generators + targets) * processBytes +
    threads * threadBytes;
  if (needed > machine.memoryBytes) {
    const perConnection = needed / connections;
    throw new UsageError(
      `${where}: ${connections} connections in ${generators + targets} processes and ${threads} threads need about ${gib(needed)} of memory, ` +
        `and this machine has ${gib(machine.memoryBytes)} available: lower connections to about ${Math.floor(machine.memoryBytes / perConnection)}` +
        `${payloadBytes > 0 ? ' or websocket.messageSize' : ''}, or split the run into shards on several machines (--shard)`,
    );
  }
  const rates = step.workload === 'arrival-rate' ? [step.rate, ...step.stages.map((stage) => stage.target)] : [];
  const fastest = Math.max(0, ...rates) / shardCount;
  if (fastest > threads * perThreadRate) {
    throw new UsageError(
      `${where}: an arrival rate of ${fastest}/s over ${threads} worker thread${threads === 1 ? '' : 's'} is more than ${perThreadRate}/s each, ` +
        `far beyond what a thread can send (about 57,000 messages/s measured on one core): lower rate, or raise workers and processes`,
    );
  }
  const length = step.warmup + (step.stages.length > 0 ? totalStageDuration(step.stages) : step.duration);
  if (length > longestTimer) {
    throw new UsageError(
      `${where}: warmup and duration add up to ${formatDuration(length)}, past Node's timer limit of ${formatDuration(longestTimer)}: split it into steps`,
    );
  }
}

/** Throws when a step cannot possibly run; returns warnings for steps that may hit a limit. */
export function checkLimits(steps: StepScenario[], shardCount = 1, machine: Machine = thisMachine()): string[] {
  const warnings: string[] = [];
  const { openFiles: limit, ports } = machine;
  const perProcess = socketsPerProcess(limit);
  for (const step of steps) {
    checkMachine(step, shardCount, machine);
    const sockets = socketsOf(step);
    const needed = processesFor(sockets, limit);
    const tooFew = (given: number, field: string): void => {
      if (given === 0 || given >= needed) return;
      const held = sockets === step.connections ? '' : ` holding ${sockets} sockets`;
      throw new UsageError(
        `step ${step.stepLabel}: ${step.connections} connections${held} over ${field}: ${given} is ${Math.ceil(sockets / given)} sockets per process, ` +
          `but the open-file limit is ${limit} per process (ulimit -n, at most ${perProcess} ${held ? 'sockets' : 'connections'} each): set ${field}: ${needed} or more (or auto)`,
      );
    };
    tooFew(step.processes, 'processes');
    if (step.target === undefined) tooFew(step.server.processes, 'server.processes');
    if (ports === undefined) continue;
    warnings.push(...portWarnings(step, sockets, limit, ports));
  }
  return warnings;
}

/**
 * A plan that comes within 90 % of the ephemeral ports a connection can take. Without
 * `sources` connect() picks a port per destination, so each target port has the range to
 * itself; a socket bound to a source address takes its port at bind(), before the
 * destination is known, so each source address has the range once for every destination
 * together (the first 500,000 attempt, with 5 sources over 32 target ports, spent most of
 * both cores in the kernel's port search).
 */
function portWarnings(step: StepScenario, sockets: number, limit: number | undefined, ports: number): string[] {
  const builtIn = step.target === undefined;
  const fits = (count: number): boolean => count <= ports * 0.9;
  const sources = step.sources.length;
  const addresses = Math.ceil(sockets / (ports * 0.8));
  if (sources > 0) {
    const perSource = Math.ceil(sockets / sources);
    if (fits(perSource)) return [];
    const instead = builtIn ? ', or leave sources out and let server.processes spread them over target ports' : '';
    return [
      `step ${step.stepLabel}: about ${perSource} connections per source address, close to the ${ports} ephemeral ports each address has for all destinations together ` +
        `(a socket bound to a source address takes its port before the destination is known); expect EADDRNOTAVAIL: use ${addresses} source addresses${instead}`,
    ];
  }
  const destinations = builtIn ? step.server.processes || targetProcessesFor(sockets, limit, ports) : 1;
  const perDestination = Math.ceil(sockets / destinations);
  if (fits(perDestination)) return [];
  const fix = builtIn
    ? `set server.processes: ${targetProcessesFor(sockets, limit, ports)} or more (or auto), each listens on its own port`
    : `add source addresses (sources: 127.0.0.1-127.0.0.${addresses})`;
  return [
    `step ${step.stepLabel}: about ${perDestination} connections per destination, close to the ${ports} ephemeral ports each has; expect EADDRNOTAVAIL: ${fix}`,
  ];
}
