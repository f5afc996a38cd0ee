// `--metrics-listen 127.0.0.1:9464`: the run's live figures on /metrics in Prometheus' text
// format, through prom-client with a registry of its own (nothing of the process-wide default
// registry, which an API user's program may fill). Each scrape reads the figures as they stand.
// When the run ends the endpoint stays up until it has been scraped once more (the final
// figures), or for --metrics-linger at most, so Prometheus' last scrape is not lost.
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Registry } from 'prom-client';
import type { LiveFigures } from './live/figures.js';
import { liveInstruments, type LiveInstrument } from './live/instruments.js';
import { closeServer, listenOn, type ListenAddress } from './live/listen.js';

function register(registry: Registry, figures: LiveFigures, instrument: LiveInstrument): void {
  const config = { name: instrument.promName, help: instrument.help, labelNames: instrument.labelNames, registers: [registry] };
  if (instrument.kind === 'counter') {
    new Counter({
      ...config,
      collect(this: Counter) {
        this.reset();
        for (const { labels, value } of instrument.read(figures)) this.inc(labels, value);
      },
    });
  } else {
    new Gauge({
      ...config,
      collect(this: Gauge) {
        this.reset();
        for (const { labels, value } of instrument.read(figures)) this.set(labels, value);
      },
    });
  }
}

export class PrometheusEndpoint {
  readonly url: string;
  private finalScrape: (() => void) | undefined;
  private scrapedFinal = false;
  private closing = false;

  private constructor(
    private readonly server: Server,
    url: string,
    private readonly lingerMs: number,
  ) {
    this.url = `${url}/metrics`;
  }

  /** Listens before the run starts, so a bad address stops it before any load. */
  static async start(address: ListenAddress, figures: LiveFigures, lingerMs: number): Promise<PrometheusEndpoint> {
    const registry = new Registry();
    for (const instrument of liveInstruments) register(registry, figures, instrument);
    let endpoint: PrometheusEndpoint | undefined;
    const server = createServer((request, response) => {
      if (request.method !== 'GET' || new URL(request.url ?? '/', 'http://x').pathname !== '/metrics') {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('sockcap serves /metrics only\n');
        return;
      }
      const final = figures.finished || endpoint?.closing === true;
      registry.metrics().then(
        (text) => {
          response.writeHead(200, { 'content-type': registry.contentType }).end(text, () => {
            if (final) endpoint?.scraped();
          });
        },
        (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(error)}\n`),
      );
    });
    endpoint = new PrometheusEndpoint(server, await listenOn(server, address), lingerMs);
    return endpoint;
  }

  private scraped(): void {
    this.scrapedFinal = true;
    this.finalScrape?.();
  }

  /** After the run: waits for a scrape of the final figures (at most the linger time), then stops listening. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.lingerMs > 0 && !this.scrapedFinal) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.lingerMs);
        this.finalScrape = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    await closeServer(this.server);
  }
}
