// The flags of the live outputs, shared by `run` and `sweep`: --metrics-listen, --metrics-linger, --otlp, --dashboard.
import type { Argv } from 'yargs';
import { UsageError } from '../errors.js';
import type { LiveOptions } from '../outputs/live-outputs.js';
import { parseListenAddress } from '../outputs/live/listen.js';
import { parseDuration, UnitError } from '../scenario/units.js';

export interface LiveArgs {
  'metrics-listen'?: string;
  'metrics-linger'?: string;
  otlp?: string;
  dashboard?: string;
}

export function addLiveFlags<T>(yargs: Argv<T>): Argv<T & LiveArgs> {
  return yargs
    .option('metrics-listen', {
      type: 'string',
      describe: "serve the run's live figures on /metrics in Prometheus format at this address, e.g. 127.0.0.1:9464",
    })
    .option('metrics-linger', {
      type: 'string',
      describe: 'after the run, keep /metrics up until it is scraped once more, at most this long, e.g. 15s (default 0: close at once)',
    })
    .option('otlp', {
      type: 'string',
      describe: 'push the live figures as OpenTelemetry metrics over OTLP/HTTP to this URL, e.g. http://127.0.0.1:4318 (/v1/metrics is added to a bare host)',
    })
    .option('dashboard', {
      type: 'string',
      describe:
        'serve a live web page of the run (charts updating every interval) at 127.0.0.1 on a free port, or at the address given, e.g. --dashboard=127.0.0.1:8090',
    });
}

/** An OTLP/HTTP receiver's URL; a bare host gets the metrics path that OTEL_EXPORTER_OTLP_ENDPOINT would. */
function otlpUrl(typed: string): string {
  let url: URL | undefined;
  try {
    url = new URL(typed.trim());
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new UsageError(`--otlp: expected the http:// or https:// URL of an OTLP/HTTP receiver, like http://127.0.0.1:4318, got "${typed}"`);
  }
  if (url.pathname === '/') url.pathname = '/v1/metrics';
  return url.href;
}

export function liveOptions(args: LiveArgs): LiveOptions {
  let lingerMs: number | undefined;
  if (args['metrics-linger'] !== undefined) {
    try {
      lingerMs = parseDuration(args['metrics-linger']);
    } catch (error) {
      if (!(error instanceof UnitError)) throw error;
      throw new UsageError(`--metrics-linger: ${error.expected}, got "${args['metrics-linger']}"`);
    }
  }
  return {
    metricsListen: args['metrics-listen'] === undefined ? undefined : parseListenAddress('--metrics-listen', args['metrics-listen']),
    metricsLingerMs: lingerMs,
    otlp: args.otlp === undefined ? undefined : otlpUrl(args.otlp),
    // --dashboard alone: loopback, a port the system chooses.
    dashboard: args.dashboard === undefined ? undefined : parseListenAddress('--dashboard', args.dashboard === '' ? '127.0.0.1' : args.dashboard, true),
  };
}
