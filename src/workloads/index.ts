// The workload registry: a new timing plan is one file plus one line here.
import { connectionWorkloads, type StepScenario, type WorkloadKind } from '../scenario/types.js';
import { arrivalRateWorkload } from './arrival-rate.js';
import { closedWorkload } from './closed.js';
import { connectWorkload } from './connect.js';
import { holdWorkload } from './hold.js';
import type { Workload } from './workload.js';

export interface WorkloadPlan {
  /** Connections this worker runs. */
  connections: number;
  /** Global index of this worker's first connection and the step's total. */
  firstConnection: number;
  totalConnections: number;
  /** This worker's position among all the step's workers (across shards too). */
  sliceIndex: number;
  sliceCount: number;
}

const workloads: Record<WorkloadKind, (scenario: StepScenario, plan: WorkloadPlan) => Workload> = {
  closed: (scenario, plan) =>
    closedWorkload({
      thinkTime: scenario.thinkTime,
      stages: scenario.stages,
      reconnect: scenario.reconnect,
      connections: plan.connections,
      sliceIndex: plan.sliceIndex,
      sliceCount: plan.sliceCount,
      firstConnection: plan.firstConnection,
      totalConnections: plan.totalConnections,
    }),
  'arrival-rate': (scenario, plan) =>
    arrivalRateWorkload({
      rate: scenario.rate,
      stages: scenario.stages,
      maxQueue: scenario.maxQueue,
      connections: plan.connections,
      firstConnection: plan.firstConnection,
      totalConnections: plan.totalConnections,
    }),
  hold: (scenario, plan) => holdWorkload({ connectRate: connectRateShare(scenario, plan), reconnect: scenario.reconnect }),
  'reconnect-storm': (scenario, plan) => holdWorkload({ connectRate: connectRateShare(scenario, plan), reconnect: scenario.reconnect }),
  connect: (scenario, plan) => connectWorkload(connectRateShare(scenario, plan), scenario.reconnect),
};

/** Workloads that open their connections themselves, at their own pace. */
export function opensOwnConnections(scenario: StepScenario): boolean {
  return connectionWorkloads.includes(scenario.workload);
}

/** A worker opens its share of the step's connect rate. */
export const connectRateShare = (scenario: StepScenario, plan: Pick<WorkloadPlan, 'connections' | 'totalConnections'>): number =>
  (scenario.connectRate * plan.connections) / plan.totalConnections;

export function workloadFor(scenario: StepScenario, plan: WorkloadPlan): Workload {
  return workloads[scenario.workload](scenario, plan);
}
