// The target of a step: the user's URL, or the built-in target started for this step in
// one or more processes of its own (each on its own port, since one process can hold fewer
// sockets than the open-file limit and one port pair has a limited range of ports).
import type { RunBrokenError } from '../errors.js';
import type { StepScenario } from '../scenario/types.js';
import { serverCertificate } from '../target/certificate.js';
import type { TargetStats } from '../results/target-stats.js';
import { spawnTarget, type TargetProcess, type WaitForExit } from '../target/spawn.js';
import { sumTargetStats } from '../results/target-stats.js';
import { socketsOf, targetProcessesFor } from './limits.js';

export interface StepTargets {
  urls: string[];
  builtIn: boolean;
  /** Local processes whose CPU and memory are sampled as the server's. */
  pids: number[];
  trustedCa: string | undefined;
  /** Stops the built-in target processes and returns their counts, added up; `waitForExit` bounds the wait for each to exit. */
  stop(waitForExit?: WaitForExit): Promise<TargetStats | undefined>;
  /** The built-in target processes' counts so far, added up; undefined for an external target or one that died. */
  stats(): Promise<TargetStats | undefined>;
  /** Has every built-in target process drop all its connections at once. */
  dropAll(): void;
  /** Resolves with the first built-in target process that died on its own; never for an external target. */
  died: Promise<RunBrokenError>;
}

export async function startTargets(step: StepScenario, externalPid: number | undefined): Promise<StepTargets> {
  if (step.target !== undefined) {
    return {
      urls: [step.target],
      builtIn: false,
      pids: externalPid ? [externalPid] : [],
      trustedCa: undefined,
      stop: async () => undefined,
      stats: async () => undefined,
      dropAll: () => {},
      died: new Promise<RunBrokenError>(() => {}),
    };
  }
  const count = step.server.processes || targetProcessesFor(socketsOf(step));
  const tls = step.server.tls ? await serverCertificate(step.server) : undefined;
  const started = await Promise.allSettled(Array.from({ length: count }, () => spawnTarget({ settings: step.server, tls })));
  const processes = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failed = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) {
    await Promise.all(processes.map((process) => process.stop().catch(() => undefined)));
    throw failed.reason;
  }
  return {
    urls: processes.map((process) => process.url),
    builtIn: true,
    pids: processes.map((process) => process.pid),
    trustedCa: processes[0]?.trustedCa,
    stop: (waitForExit) => stopAll(processes, waitForExit),
    stats: async () => sumTargetStats(await Promise.all(processes.map((process) => process.stats().catch(() => undefined)))),
    dropAll: () => processes.forEach((process) => process.dropAll()),
    died: Promise.race(processes.map((process) => process.died)),
  };
}

async function stopAll(processes: TargetProcess[], waitForExit: WaitForExit | undefined): Promise<TargetStats | undefined> {
  return sumTargetStats(await Promise.all(processes.map((process) => process.stop(waitForExit).catch(() => undefined))));
}
