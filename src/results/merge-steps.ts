// Several runs of one step as one: histograms added, counters summed, measured time
// summed, so a baseline of three runs is one larger sample rather than three averaged
// percentiles. CPU is weighted by measured time; peaks are the highest of any run.
import { combineMeasurements } from '../metrics/combine.js';
import type { StepResult } from './run-result.js';

export function mergeSteps(results: readonly StepResult[]): StepResult {
  const [first] = results;
  if (!first) throw new Error('mergeSteps needs at least one step');
  if (results.length === 1) return first;
  const { totals, histograms } = combineMeasurements(results);
  const { totals: warmupTotals } = combineMeasurements(results.map((result) => ({ totals: result.warmupTotals, histograms: new Map() })));
  let measuredMs = 0;
  let clientCpuMs = 0;
  let serverCpuMs = 0;
  for (const result of results) {
    measuredMs += result.measuredMs;
    clientCpuMs += result.client.cpuPct * result.measuredMs;
    serverCpuMs += (result.server?.cpuPct ?? 0) * result.measuredMs;
  }
  const servers = results.flatMap((result) => (result.server ? [result.server] : []));
  return {
    ...first,
    endedAt: results.reduce((latest, result) => (result.endedAt > latest ? result.endedAt : latest), first.endedAt),
    measuredMs,
    totals,
    warmupTotals,
    histograms,
    connectionsPeak: Math.max(...results.map((result) => result.connectionsPeak)),
    clientsPeak: results.some((result) => result.clientsPeak !== undefined) ? Math.max(...results.map((result) => result.clientsPeak ?? 0)) : undefined,
    client: {
      cpuPct: measuredMs > 0 ? clientCpuMs / measuredMs : 0,
      rssPeakBytes: Math.max(...results.map((result) => result.client.rssPeakBytes)),
    },
    server:
      servers.length === results.length
        ? { cpuPct: measuredMs > 0 ? serverCpuMs / measuredMs : 0, rssPeakBytes: Math.max(...servers.map((server) => server.rssPeakBytes)) }
        : undefined,
    saturationCauses: [...new Set(results.flatMap((result) => result.saturationCauses))],
    targetStats: undefined,
    interrupted: results.some((result) => result.interrupted),
  };
}
