// Splits a step into slices: shards → generator processes → worker threads → connections.
// The split is deterministic (whole shares that add up exactly, larger first), so a shard
// on another machine computes the same global indices without talking to the others.
import type { StepScenario } from '../scenario/types.js';
import type { Slice } from '../worker/messages.js';
import { processesFor, socketsOf } from './limits.js';
import { splitEvenly } from './split.js';
import type { WorkerChoice } from './workers.js';
import type { Shard } from '../results/shard.js';

export interface StepTiming {
  startAt: number;
  measureFrom: number;
  endAt: number;
}

export interface StepPlan {
  /** This shard's slices, grouped by the generator process that runs them. */
  processes: Slice[][];
  workersPerProcess: number;
  /** Why this many worker threads, when `workers: auto` chose them. */
  workersWhy: string | undefined;
  /** Slices across every shard. */
  totalSlices: number;
  /** This shard's connections. */
  connections: number;
}

export function planStep(
  step: StepScenario,
  targets: string[],
  trustedCa: string | undefined,
  shard: Shard,
  timing: StepTiming,
  workers: WorkerChoice,
): StepPlan {
  const shardShares = splitEvenly(step.connections, shard.count);
  const perShard = Math.max(...shardShares);
  const processCount = step.processes || processesFor(socketsOf(step, perShard));
  const perProcess = Math.ceil(perShard / processCount);
  // An explicit number is per process; auto's total is shared by the processes the open-file limit asks for.
  const perProcessWorkers = workers.why === undefined ? workers.total : Math.floor(workers.total / processCount);
  const workersPerProcess = Math.max(1, Math.min(perProcessWorkers, perProcess));
  const slicesPerShard = processCount * workersPerProcess;
  const totalSlices = shard.count * slicesPerShard;

  // Every slice of every shard, in global order; this shard keeps its own.
  const sliceShares = shardShares.flatMap((shardShare) =>
    splitEvenly(shardShare, processCount).flatMap((processShare) => splitEvenly(processShare, workersPerProcess)),
  );
  const firstOf = (sliceIndex: number): number => sliceShares.slice(0, sliceIndex).reduce((sum, share) => sum + share, 0);

  const processes: Slice[][] = [];
  for (let process = 0; process < processCount; process++) {
    const slices: Slice[] = [];
    for (let worker = 0; worker < workersPerProcess; worker++) {
      const workerIndex = shard.index * slicesPerShard + process * workersPerProcess + worker;
      const connections = sliceShares[workerIndex]!;
      if (connections === 0) continue;
      slices.push({
        scenario: step,
        targets,
        sources: step.sources,
        trustedCa,
        workerIndex,
        workerCount: totalSlices,
        connections,
        firstConnection: firstOf(workerIndex),
        totalConnections: step.connections,
        ...timing,
      });
    }
    if (slices.length > 0) processes.push(slices);
  }
  return { processes, workersPerProcess, workersWhy: workers.why, totalSlices, connections: shardShares[shard.index]! };
}

export function describePlan(step: StepScenario, plan: StepPlan, targets: number, shard: Shard): string {
  const workers = plan.processes.reduce((sum, slices) => sum + slices.length, 0);
  const parts = [
    `${plan.connections} connections`,
    shard.count > 1 ? `shard ${shard.index + 1}/${shard.count}` : undefined,
    `${plan.processes.length} process${plan.processes.length === 1 ? '' : 'es'} × ${plan.workersPerProcess} worker thread${plan.workersPerProcess === 1 ? '' : 's'} (${workers} slice${workers === 1 ? '' : 's'})`,
    plan.workersWhy,
    step.sources.length > 0 ? `${step.sources.length} source addresses` : undefined,
    targets > 1 ? `${targets} target processes` : undefined,
  ];
  return parts.filter(Boolean).join(', ');
}
