// `workers: auto`: how many worker threads a generator process runs. A target on this
// machine (the built-in one, a loopback URL, or --target-pid) needs cores of its own: a
// generator that takes every core makes the target wait for CPU, and the target's wait
// then shows up as the generator's latency. So auto leaves such a target its share and
// uses the rest; against a target on another machine it uses every core. An explicit
// number is taken as it is.
import os from 'node:os';
import { maxWorkers } from '../scenario/defaults.js';
import type { StepScenario } from '../scenario/types.js';

/** Where the step's target runs, as far as the cores of this machine are concerned. */
export type TargetPlacement = { kind: 'built-in'; processes: number } | { kind: 'local'; how: string } | { kind: 'remote' };

export interface WorkerChoice {
  /** Worker threads across this shard's generator processes. */
  total: number;
  /** Why, for the plan line; undefined when the scenario gave the number. */
  why: string | undefined;
}

const loopbackHosts = new Set(['localhost', '::1', '[::1]', '0.0.0.0', '::', '[::]']);

/** Whether `host` names this machine: a loopback name or address, or one of its interfaces' addresses. */
export function isThisMachine(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (loopbackHosts.has(host) || loopbackHosts.has(bare) || bare.startsWith('127.') || bare.endsWith('.localhost')) return true;
  return Object.values(os.networkInterfaces()).some((addresses) => addresses?.some((address) => address.address === bare));
}

export function targetPlacement(step: StepScenario, targetPid: number | undefined, builtInProcesses: number): TargetPlacement {
  if (step.target === undefined) return { kind: 'built-in', processes: builtInProcesses };
  if (targetPid !== undefined) return { kind: 'local', how: `--target-pid ${targetPid}` };
  const host = new URL(step.target).hostname;
  return isThisMachine(host) ? { kind: 'local', how: host } : { kind: 'remote' };
}

export function chooseWorkers(step: StepScenario, placement: TargetPlacement, cores = os.availableParallelism()): WorkerChoice {
  if (step.workers > 0) return { total: step.workers, why: undefined };
  const half = Math.ceil(cores / 2);
  switch (placement.kind) {
    case 'built-in': {
      // Each built-in target process is one thread: it cannot use more cores than it has processes.
      const spared = Math.min(placement.processes, half);
      return { total: spare(cores, spared), why: `workers auto: ${cores} cores, ${spared} left to the built-in target` };
    }
    case 'local':
      return { total: spare(cores, half), why: `workers auto: ${cores} cores, ${half} left to the target on this machine (${placement.how})` };
    case 'remote':
      return { total: Math.min(maxWorkers, cores), why: `workers auto: every core (${cores}), the target is on another machine` };
  }
}

function spare(cores: number, spared: number): number {
  return Math.max(1, Math.min(maxWorkers, cores - spared));
}
