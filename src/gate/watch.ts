// abortOnFail: watches the live interval stream and stops the run the first time a
// threshold marked abortOnFail fails, once its grace period of measured time has passed.
// It judges the step so far (every measured interval merged), not a single interval, so
// one slow second does not end a run that is fine overall.
import { addCounters, emptyCounters, type Counters } from '../metrics/counters.js';
import { addHistogram, createHistogram, type Histogram, type MetricName } from '../metrics/histogram.js';
import type { IntervalRow, Output, StepResult } from '../results/run-result.js';
import type { StepScenario } from '../scenario/types.js';
import type { ThresholdAbort } from '../results/threshold-abort.js';
import { holds, parseThresholdExpression, type ThresholdExpression } from '../scenario/threshold-expression.js';
import { formatValue } from '../scenario/metric-ref.js';
import { metricValue } from '../results/metric-value.js';
import { primaryMetricOf } from '../protocols/index.js';

interface Watched {
  expression: ThresholdExpression;
  gracePeriodS: number;
}

interface StepSoFar {
  step: StepScenario;
  watched: Watched[];
  totals: Counters;
  histograms: Map<MetricName, Histogram>;
  measuredS: number;
  connectionsPeak: number;
  connectRatePeak: number;
  clientCpuSum: number;
  clientRssPeak: number;
  serverCpuSum: number;
  serverRssPeak: number;
  serverSeen: boolean;
  intervals: number;
  causes: Set<string>;
}

export class ThresholdWatch implements Output {
  private current: StepSoFar | undefined;
  private stopped: ThresholdAbort | undefined;

  /** `stop` ends the run (the run command aborts its AbortController with the reason). */
  constructor(private readonly stop: (reason: string) => void) {}

  /** The threshold that stopped the run, if one did. */
  get aborted(): ThresholdAbort | undefined {
    return this.stopped;
  }

  stepStarted(step: StepScenario): void {
    const watched = (step.thresholds ?? [])
      .filter((threshold) => threshold.abortOnFail)
      .map((threshold) => ({ expression: parseThresholdExpression(threshold.expression), gracePeriodS: threshold.gracePeriod / 1000 }));
    this.current = {
      step,
      watched,
      totals: emptyCounters(),
      histograms: new Map(),
      measuredS: 0,
      connectionsPeak: 0,
      connectRatePeak: 0,
      clientCpuSum: 0,
      clientRssPeak: 0,
      serverCpuSum: 0,
      serverRssPeak: 0,
      serverSeen: false,
      intervals: 0,
      causes: new Set(),
    };
  }

  interval(row: IntervalRow): void {
    const so = this.current;
    if (!so || so.watched.length === 0 || this.stopped || row.phase !== 'measure' || row.step.stepIndex !== so.step.stepIndex) return;
    addCounters(so.totals, row.counters);
    for (const [metric, histogram] of row.histograms) {
      let into = so.histograms.get(metric);
      if (!into) so.histograms.set(metric, (into = createHistogram()));
      addHistogram(into, histogram);
    }
    so.measuredS += row.intervalS;
    so.intervals++;
    so.connectionsPeak = Math.max(so.connectionsPeak, row.connectionsOpen);
    if (row.intervalS > 0) so.connectRatePeak = Math.max(so.connectRatePeak, row.counters.connectionsOpened / row.intervalS);
    so.clientCpuSum += row.client.cpuPct;
    so.clientRssPeak = Math.max(so.clientRssPeak, row.client.rssBytes);
    if (row.server) {
      so.serverSeen = true;
      so.serverCpuSum += row.server.cpuPct;
      so.serverRssPeak = Math.max(so.serverRssPeak, row.server.rssBytes);
    }
    for (const cause of row.saturationCauses) so.causes.add(cause);

    const result = stepSoFar(so);
    for (const { expression, gracePeriodS } of so.watched) {
      if (so.measuredS < gracePeriodS) continue;
      const value = metricValue(result, expression.ref, primaryMetricOf(result.step));
      if (value === undefined || holds(value, expression.operator, expression.limit)) continue;
      const reason =
        `threshold "${expression.text}" failed after ${so.measuredS.toFixed(1)} s of step ${so.step.stepLabel} ` +
        `(${expression.ref.name} was ${formatValue(expression.ref.kind, value)}): abortOnFail stopped the run`;
      this.stopped = { stepIndex: so.step.stepIndex, step: so.step.stepLabel, expression: expression.text, atS: so.measuredS, value, reason };
      this.stop(reason);
      return;
    }
  }
}

/** The step's measured part so far, in the shape the evaluator reads. */
function stepSoFar(so: StepSoFar): StepResult {
  const now = new Date();
  return {
    step: so.step,
    target: '',
    builtInTarget: so.step.target === undefined,
    targetPid: undefined,
    startedAt: now,
    endedAt: now,
    measuredMs: so.measuredS * 1000,
    totals: so.totals,
    warmupTotals: emptyCounters(),
    histograms: so.histograms,
    connectionsPeak: so.connectionsPeak,
    client: { cpuPct: so.clientCpuSum / so.intervals, rssPeakBytes: so.clientRssPeak },
    server: so.serverSeen ? { cpuPct: so.serverCpuSum / so.intervals, rssPeakBytes: so.serverRssPeak } : undefined,
    saturationCauses: [...so.causes],
    targetStats: undefined,
    interrupted: false,
    // Connection costs are measured once all connections are held, at the step's end: not known yet.
    costs: { clientKibPerConn: undefined, serverKibPerConn: undefined, kernelKibPerConn: undefined, serverCpuMsPerConn: undefined },
    connectRatePeak: so.connectRatePeak,
    generatorProcesses: 1,
    targetProcesses: so.step.target === undefined ? 1 : 0,
    shard: { index: 0, count: 1 },
  };
}
