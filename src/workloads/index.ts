// The workload registry: a new timing plan is one file plus one line here.
import type { StepScenario, WorkloadKind } from '../scenario/types.js';
import { arrivalRateWorkload } from './arrival-rate.js';
import { closedWorkload } from './closed.js';
import type { Workload } from './workload.js';

export interface WorkloadPlan {
  /** Connections this worker runs. */
  connections: number;
  /** Global index of this worker's first connection and the step's total. */
  firstConnection: number;
  totalConnections: number;
}

const workloads: Record<WorkloadKind, (scenario: StepScenario, plan: WorkloadPlan) => Workload> = {
  closed: (scenario) => closedWorkload(scenario.thinkTime),
  'arrival-rate': (scenario, plan) =>
    arrivalRateWorkload({ rate: scenario.rate, stages: scenario.stages, maxQueue: scenario.maxQueue, ...plan }),
};

export function workloadFor(scenario: StepScenario, plan: WorkloadPlan): Workload {
  return workloads[scenario.workload](scenario, plan);
}
