// The summary columns that price a connection: memory per connection on both sides and in
// the kernel, server CPU per new connection, how fast connections opened, and how fast
// dropped clients came back.
import { summarize } from '../metrics/histogram.js';
import type { StepResult } from './run-result.js';
import { orBlank, roundOrBlank } from './number-format.js';
import { capacityColumns } from '../metrics/summary-columns.js';

export function capacityFields(result: StepResult): Record<(typeof capacityColumns)[number], string | number> {
  const reconnect = summarize(result.histograms.get('reconnect_time'));
  return {
    client_kib_per_conn: roundOrBlank(result.costs.clientKibPerConn),
    server_kib_per_conn: roundOrBlank(result.costs.serverKibPerConn),
    kernel_kib_per_conn: roundOrBlank(result.costs.kernelKibPerConn),
    server_cpu_ms_per_conn: roundOrBlank(result.costs.serverCpuMsPerConn, 4),
    connect_rate_per_s: roundOrBlank(result.connectRatePeak, 1),
    reconnects: result.totals.reconnects,
    reconnect_attempts: result.totals.reconnectAttempts,
    reconnect_p50_ms: orBlank(reconnect.p50),
    reconnect_p99_ms: orBlank(reconnect.p99),
    reconnect_max_ms: orBlank(reconnect.max),
    generator_processes: result.generatorProcesses,
    target_processes: result.targetProcesses,
  };
}
