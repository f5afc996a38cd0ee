// capacity.csv and capacity-fit.csv: for runs that hold or open connections (hold,
// connect, reconnect-storm), one row per step with what a connection cost, and the line
// fitted across the steps: the marginal KiB per connection and CPU ms per new connection.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { summarize } from '../metrics/histogram.js';
import { fitLine, type LineFit } from '../metrics/fit.js';
import { csvText } from './csv.js';
import type { Output, RunInfo, RunResult, StepResult } from '../results/run-result.js';
import { roundOrBlank } from '../results/number-format.js';
import { connectionWorkloads } from '../scenario/types.js';
import type { SloResult } from '../results/comparison.js';
import { pricedHeld, pricedOpened } from '../results/connection-costs.js';

export const capacityCsvColumns = [
  'step',
  'workload',
  'protocol',
  'connections',
  'connections_held',
  'clients_held',
  'connections_failed',
  'client_kib_per_conn',
  'server_kib_per_conn',
  'kernel_kib_per_conn',
  'server_cpu_ms_per_conn',
  'connect_rate_per_s',
  'connect_p99_ms',
  'handshake_p99_ms',
  'slo',
] as const;

export const capacityFitColumns = ['quantity', 'unit', 'slope', 'slope_stderr', 'intercept', 'r2', 'steps'] as const;

export class CapacityCsv implements Output {
  private run: RunInfo | undefined;
  private readonly steps: StepResult[] = [];
  slo: SloResult | undefined;

  runStarted(run: RunInfo): void {
    this.run = run;
  }

  stepFinished(result: StepResult): void {
    if (!connectionWorkloads.includes(result.step.workload)) return;
    this.steps.push(result);
    this.write();
  }

  runFinished(_run: RunResult): void {
    this.write();
  }

  private write(): void {
    if (!this.run || this.steps.length === 0) return;
    const rows = this.steps.map((result) => {
      const held = result.connectionsPeak;
      return {
        step: result.step.stepLabel,
        workload: result.step.workload,
        protocol: result.step.protocol,
        connections: result.step.connections,
        connections_held: held,
        clients_held: result.clientsPeak ?? '',
        connections_failed: result.totals.connectionsFailed,
        client_kib_per_conn: roundOrBlank(result.costs.clientKibPerConn, 2),
        server_kib_per_conn: roundOrBlank(result.costs.serverKibPerConn, 2),
        kernel_kib_per_conn: roundOrBlank(result.costs.kernelKibPerConn, 2),
        server_cpu_ms_per_conn: roundOrBlank(result.costs.serverCpuMsPerConn, 4),
        connect_rate_per_s: roundOrBlank(result.connectRatePeak, 1),
        connect_p99_ms: summarize(result.histograms.get('connect')).p99,
        handshake_p99_ms: summarize(result.histograms.get('handshake')).p99,
        slo: this.sloVerdict(result),
      };
    });
    writeFileSync(join(this.run.dir, 'capacity.csv'), csvText(rows, capacityCsvColumns));
    const fits = fitRows(this.steps);
    if (fits.length > 0) writeFileSync(join(this.run.dir, 'capacity-fit.csv'), csvText(fits, capacityFitColumns));
  }

  private sloVerdict(result: StepResult): string {
    if (!this.slo) return '';
    return this.slo.brokenAt === result.step.stepLabel ? 'broken' : 'ok';
  }
}

export interface CapacityFit {
  quantity: 'client_memory' | 'server_memory' | 'kernel_memory' | 'server_cpu';
  unit: string;
  fit: LineFit;
}

/** The marginal costs: slopes of total cost against connections across the steps. */
export function capacityFits(steps: readonly StepResult[]): CapacityFit[] {
  const quantities: {
    quantity: CapacityFit['quantity'];
    unit: string;
    perConnection: (r: StepResult) => number | undefined;
    count: (r: StepResult) => number;
  }[] = [
    { quantity: 'client_memory', unit: 'KiB per connection', perConnection: (r) => r.costs.clientKibPerConn, count: pricedHeld },
    { quantity: 'server_memory', unit: 'KiB per connection', perConnection: (r) => r.costs.serverKibPerConn, count: pricedHeld },
    { quantity: 'kernel_memory', unit: 'KiB per connection', perConnection: (r) => r.costs.kernelKibPerConn, count: pricedHeld },
    {
      quantity: 'server_cpu',
      unit: 'ms per new connection',
      perConnection: (r) => r.costs.serverCpuMsPerConn,
      count: pricedOpened,
    },
  ];
  return quantities.flatMap(({ quantity, unit, perConnection, count }) => {
    const points = steps.flatMap((r) => {
      const each = perConnection(r);
      const n = count(r);
      return each === undefined || n <= 0 ? [] : [{ x: n, y: each * n }];
    });
    const fit = fitLine(points);
    return fit ? [{ quantity, unit, fit }] : [];
  });
}

export function fitRows(steps: readonly StepResult[]): Record<(typeof capacityFitColumns)[number], string | number>[] {
  return capacityFits(steps).map(({ quantity, unit, fit }) => ({
    quantity,
    unit,
    slope: roundOrBlank(fit.slope, 4),
    slope_stderr: roundOrBlank(fit.slopeStdError, 4),
    intercept: roundOrBlank(fit.intercept, 1),
    r2: roundOrBlank(fit.r2, 4),
    steps: fit.points,
  }));
}
