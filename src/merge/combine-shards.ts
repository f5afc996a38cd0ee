// Shards run side by side, so their results add up as one larger run: counters summed,
// histograms added, CPU and memory of the generator machines summed, measured time the
// longest of them, per-connection costs weighted by each shard's connections.
import { combineMeasurements } from '../metrics/combine.js';
import type { IntervalRecord } from '../results/interval-log.js';
import { decodeIntervalHistograms } from '../results/interval-log.js';
import type { IntervalRow, ProcessFigures, StepResult } from '../results/run-result.js';
import { sumTargetStats } from '../results/target-stats.js';
import { pricedHeld, pricedOpened } from '../results/connection-costs.js';

const sum = (values: number[]): number => values.reduce((total, value) => total + value, 0);

/** The mean of `value` weighted by `weight`, over the results that have a value. */
function weighted(results: readonly StepResult[], value: (r: StepResult) => number | undefined, weight: (r: StepResult) => number): number | undefined {
  const known = results.flatMap((r) => {
    const v = value(r);
    return v === undefined ? [] : [{ v, w: weight(r) }];
  });
  const totalWeight = sum(known.map((k) => k.w));
  return known.length === 0 || totalWeight === 0 ? undefined : sum(known.map((k) => k.v * k.w)) / totalWeight;
}

function sumFigures(figures: (ProcessFigures | undefined)[]): ProcessFigures | undefined {
  const known = figures.filter((f): f is ProcessFigures => f !== undefined);
  if (known.length === 0) return undefined;
  return { cpuPct: sum(known.map((f) => f.cpuPct)), rssPeakBytes: sum(known.map((f) => f.rssPeakBytes)) };
}

export function combineStep(results: readonly StepResult[], shardCount: number): StepResult {
  const first = results[0]!;
  const { totals, histograms } = combineMeasurements(results);
  const { totals: warmupTotals } = combineMeasurements(results.map((result) => ({ totals: result.warmupTotals, histograms: new Map() })));
  return {
    ...first,
    target: [...new Set(results.map((r) => r.target))].join(' '),
    startedAt: new Date(Math.min(...results.map((r) => r.startedAt.getTime()))),
    endedAt: new Date(Math.max(...results.map((r) => r.endedAt.getTime()))),
    measuredMs: Math.max(...results.map((r) => r.measuredMs)),
    totals,
    warmupTotals,
    histograms,
    connectionsPeak: sum(results.map((r) => r.connectionsPeak)),
    clientsPeak: results.some((r) => r.clientsPeak !== undefined) ? sum(results.map((r) => r.clientsPeak ?? 0)) : undefined,
    client: sumFigures(results.map((r) => r.client))!,
    server: sumFigures(results.map((r) => r.server)),
    saturationCauses: results.flatMap((r) => r.saturationCauses.map((cause) => `shard ${r.shard.index + 1}/${shardCount}: ${cause}`)),
    targetStats: sumTargetStats(results.map((r) => r.targetStats)),
    interrupted: results.some((r) => r.interrupted),
    costs: {
      clientKibPerConn: weighted(
        results,
        (r) => r.costs.clientKibPerConn,
        (r) => pricedHeld(r),
      ),
      serverKibPerConn: weighted(
        results,
        (r) => r.costs.serverKibPerConn,
        (r) => pricedHeld(r),
      ),
      kernelKibPerConn: weighted(
        results,
        (r) => r.costs.kernelKibPerConn,
        (r) => pricedHeld(r),
      ),
      serverCpuMsPerConn: weighted(
        results,
        (r) => r.costs.serverCpuMsPerConn,
        (r) => pricedOpened(r),
      ),
    },
    connectRatePeak: sum(results.map((r) => r.connectRatePeak)),
    generatorProcesses: sum(results.map((r) => r.generatorProcesses)),
    targetProcesses: first.builtInTarget ? sum(results.map((r) => r.targetProcesses)) : first.targetProcesses,
    shard: { index: 0, count: 1 },
  };
}

/**
 * Intervals of every shard lined up by step and time since the step's start (shards started
 * with --start-at share it; otherwise intervals of the same rank are taken as simultaneous).
 */
export function combineIntervals(records: readonly IntervalRecord[][], steps: ReadonlyMap<number, StepResult>): IntervalRow[] {
  const groups = new Map<string, IntervalRecord[]>();
  for (const shardRecords of records) {
    const rank = new Map<number, number>();
    for (const record of shardRecords) {
      const position = rank.get(record.stepIndex) ?? 0;
      rank.set(record.stepIndex, position + 1);
      const key = `${record.stepIndex}:${position}`;
      groups.set(key, [...(groups.get(key) ?? []), record]);
    }
  }
  const rows: IntervalRow[] = [];
  for (const group of groups.values()) {
    const first = group[0]!;
    const step = steps.get(first.stepIndex);
    if (!step) continue;
    const { totals, histograms } = combineMeasurements(group.map((r) => ({ totals: r.counters, histograms: decodeIntervalHistograms(r) })));
    const servers = group.flatMap((r) => (r.server ? [r.server] : []));
    rows.push({
      step: step.step,
      phase: first.phase,
      elapsedS: Math.max(...group.map((r) => r.elapsedS)),
      intervalS: Math.max(...group.map((r) => r.intervalS)),
      stepDurationS: first.stepDurationS,
      connectionsOpen: sum(group.map((r) => r.connectionsOpen)),
      clientsHeld: group.some((r) => r.clientsHeld !== undefined) ? sum(group.map((r) => r.clientsHeld ?? 0)) : undefined,
      counters: totals,
      histograms,
      client: { cpuPct: sum(group.map((r) => r.client.cpuPct)), rssBytes: sum(group.map((r) => r.client.rssBytes)) },
      server:
        servers.length > 0
          ? { cpuPct: sum(servers.map((s) => s.cpuPct)), rssBytes: sum(servers.map((s) => s.rssBytes)), openFds: sharedFds(servers) }
          : undefined,
      saturationCauses: [...new Set(group.flatMap((r) => r.saturationCauses))],
    });
  }
  return rows.sort((a, b) => a.step.stepIndex - b.step.stepIndex || a.elapsedS - b.elapsedS);
}

/** Shards that measured one server each read its descriptors: the most any of them saw. */
function sharedFds(servers: { openFds?: number | undefined }[]): number | undefined {
  const counts = servers.flatMap((server) => (server.openFds === undefined ? [] : [server.openFds]));
  return counts.length > 0 ? Math.max(...counts) : undefined;
}
