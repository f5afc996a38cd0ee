// The live outputs a run asked for (--metrics-listen, --otlp, --dashboard), started before
// the run so that a bad address stops it before any load, and closed after it: no server,
// timer or connection of theirs outlives the run. They read one LiveFigures, fed first.
import type { Output } from '../results/run-result.js';
import { LiveFigures } from './live/figures.js';
import type { ListenAddress } from './live/listen.js';
import type { Dashboard } from './dashboard.js';
import type { OtlpPush } from './otlp.js';
import type { PrometheusEndpoint } from './prometheus.js';

export interface LiveOptions {
  /** --metrics-listen: serve /metrics here. */
  metricsListen?: ListenAddress | undefined;
  /** --metrics-linger: after the run, wait this long at most for a scrape of the final figures. */
  metricsLingerMs?: number | undefined;
  /** --otlp: push OTLP/HTTP metrics to this URL (the full URL, /v1/metrics included). */
  otlp?: string | undefined;
  /** --dashboard: serve the live page here. */
  dashboard?: ListenAddress | undefined;
}

interface LiveOutput extends Output {
  close(): Promise<void>;
}

export interface LiveOutputs {
  /** To pass to the run, beside the result files. */
  outputs: Output[];
  /** Ends every live output; call once the run has ended, however it ended. */
  close(): Promise<void>;
}

export async function startLiveOutputs(options: LiveOptions, say: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Promise<LiveOutputs> {
  const figures = new LiveFigures();
  const started: LiveOutput[] = [];
  const close = async (): Promise<void> => {
    await Promise.all(started.map((output) => output.close()));
  };
  try {
    // prom-client, the OpenTelemetry SDK and the dashboard load only for a run that asks for them.
    if (options.metricsListen) {
      const { PrometheusEndpoint } = await import('./prometheus.js');
      const endpoint: PrometheusEndpoint = await PrometheusEndpoint.start(options.metricsListen, figures, options.metricsLingerMs ?? 0);
      started.push(endpoint);
      say(`sockcap: live metrics at ${endpoint.url}`);
    }
    if (options.otlp) {
      const { OtlpPush } = await import('./otlp.js');
      const push: OtlpPush = new OtlpPush(options.otlp, figures, say);
      started.push(push);
    }
    if (options.dashboard) {
      const { Dashboard } = await import('./dashboard.js');
      const dashboard: Dashboard = await Dashboard.start(options.dashboard);
      started.push(dashboard);
      say(`sockcap: dashboard at ${dashboard.url}`);
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { outputs: started.length > 0 ? [figures, ...started] : [], close };
}
