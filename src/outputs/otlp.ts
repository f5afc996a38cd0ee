// `--otlp URL`: pushes the run's live figures as OpenTelemetry metrics over OTLP/HTTP (JSON),
// with the OpenTelemetry SDK's own meter provider, reader and exporter: once per interval as
// it closes, and once more when the run ends. The instruments are the ones /metrics serves
// (live/instruments.ts), observed from the same figures, cumulative. A receiver that is down
// or slow costs a warning, never the run: a push still in flight when the next interval
// closes is not doubled (the next one carries the same cumulative figures).
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { version } from '../version.js';
import type { Output, RunInfo } from '../results/run-result.js';
import type { LiveFigures } from './live/figures.js';
import { liveInstruments } from './live/instruments.js';

/** How long one push may take before it is given up (a hung receiver must not hold the run's end for long). */
const pushTimeoutMs = 3000;
/** The reader's own timer is not used: pushes follow the run's intervals. */
const readerIntervalMs = 3_600_000;

/** The SDK's exporter, with a warning (once) when a push fails: the SDK itself only tells its diagnostic logger. */
class WarningExporter implements PushMetricExporter {
  private warned = false;

  constructor(
    private readonly inner: OTLPMetricExporter,
    private readonly url: string,
    private readonly say: (line: string) => void,
  ) {}

  export(metrics: ResourceMetrics, done: Parameters<PushMetricExporter['export']>[1]): void {
    this.inner.export(metrics, (result) => {
      if (result.error && !this.warned) {
        this.warned = true;
        this.say(`sockcap: --otlp: could not push to ${this.url} (${result.error.message}); the run goes on, later pushes carry the same totals`);
      }
      done(result);
    });
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

export class OtlpPush implements Output {
  private provider: MeterProvider | undefined;
  private pushing: Promise<void> | undefined;

  constructor(
    private readonly url: string,
    private readonly figures: LiveFigures,
    private readonly say: (line: string) => void,
  ) {}

  runStarted(run: RunInfo): void {
    const exporter = new WarningExporter(new OTLPMetricExporter({ url: this.url, timeoutMillis: pushTimeoutMs }), this.url, this.say);
    this.provider = new MeterProvider({
      resource: resourceFromAttributes({
        'service.name': 'sockcap',
        'service.version': version,
        'sockcap.run_id': run.runId,
        'sockcap.scenario': run.scenario.base.name,
      }),
      readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: readerIntervalMs, exportTimeoutMillis: pushTimeoutMs })],
    });
    const meter = this.provider.getMeter('sockcap', version);
    for (const instrument of liveInstruments) {
      const options = { description: instrument.help, unit: instrument.unit };
      const observable =
        instrument.kind === 'counter' ? meter.createObservableCounter(instrument.otelName, options) : meter.createObservableGauge(instrument.otelName, options);
      observable.addCallback((result) => {
        for (const { labels, value } of instrument.read(this.figures)) result.observe(value, labels);
      });
    }
  }

  interval(): void {
    this.push();
  }

  stepFinished(): void {
    this.push();
  }

  private push(): void {
    const provider = this.provider;
    if (!provider || this.pushing) return;
    this.pushing = provider.forceFlush().finally(() => (this.pushing = undefined));
  }

  /** Waits for a push in flight, pushes the final figures, and ends the SDK's reader and exporter. */
  async close(): Promise<void> {
    await this.pushing;
    await this.provider?.shutdown();
  }
}
