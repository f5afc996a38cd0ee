// The server's CPU, memory and open descriptors read from its own Prometheus endpoint (a
// client library's default process metrics, or `sockcap agent`), for a target on another
// host. Scraped twice per interval so every interval row has a reading of its own; a scrape
// that fails, hangs past its timeout or answers something that is not Prometheus text
// leaves that reading empty and is reported, and never stops the run.
import { now } from './clock.js';
import { metricValue, parsePrometheusText, PrometheusTextError, type PrometheusFamily } from './prometheus-text.js';
import type { ProcessSample, ServerSampler } from './process-sampler.js';

export interface ScrapeSettings {
  url: string;
  /** Put before the standard names: `myapp_` reads `myapp_process_cpu_seconds_total`. */
  prefix: string;
  /** Sent as `Authorization: Bearer <token>` (what `sockcap agent --token` asks for). */
  token: string | undefined;
  /** The run's interval, in ms: the scrape period is half of it, the timeout all of it (the first scrape's at least 2 s). */
  intervalMs: number;
}

/** What `sockcap agent` adds to the standard process metrics. */
export const agentInfoMetric = 'sockcap_agent_info';
export const agentProcessesMetric = 'sockcap_agent_processes';

/** How long the first scrape may take at least (the clock offset's round trips get as long). */
const firstReadingTimeoutMs = 2000;

export class MetricsScraper implements ServerSampler {
  private latest: ProcessSample | undefined;
  private latestStarted = -1;
  private started = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly inFlight = new Set<AbortController>();
  /** Whether the endpoint is a `sockcap agent` (seen in a scrape), and how many processes it summed. */
  agent: { processes: number | undefined } | undefined;
  /** Scrapes that finished (answered, failed or timed out), and how many of them failed. */
  attempts = 0;
  failures = 0;
  /** Why the first failed scrape failed, and the latest one. */
  firstFailure: string | undefined;

  constructor(
    private readonly settings: ScrapeSettings,
    /** Told once per failure streak, in words, when a scrape fails after one that worked (or the first one). */
    private readonly onFailure: (reason: string) => void,
  ) {}

  describe(): string {
    const agent = this.agent
      ? ` (sockcap agent${this.agent.processes === undefined ? '' : `, ${this.agent.processes} process${this.agent.processes === 1 ? '' : 'es'} summed`})`
      : '';
    return `${this.settings.url}${agent}`;
  }

  /** The latest scrape's reading; undefined when the latest scrape failed. */
  sample(): ProcessSample | undefined {
    return this.latest;
  }

  /** Scrapes now and waits for it (a baseline, the sample while every connection is held). */
  refresh(): Promise<void> {
    return this.scrape(this.settings.intervalMs);
  }

  /**
   * The first scrape, before the load: it decides whether the endpoint works and whether it is
   * a sockcap agent, so it is not held to a short interval. A generator's first request loads
   * its HTTP client and opens a connection (65 ms on an idle 2-core machine, three times that
   * on a busy one), which an interval of 500 ms leaves little room for.
   */
  firstReading(): Promise<void> {
    return this.scrape(Math.max(this.settings.intervalMs, firstReadingTimeoutMs));
  }

  start(): void {
    this.timer ??= setInterval(() => void this.scrape(this.settings.intervalMs), Math.max(50, this.settings.intervalMs / 2));
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.stopped = true;
    for (const controller of this.inFlight) controller.abort();
  }

  private async scrape(timeoutMs: number): Promise<void> {
    const order = this.started++;
    const controller = new AbortController();
    this.inFlight.add(controller);
    const timeout = setTimeout(() => controller.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    let reading: ProcessSample | undefined;
    let failure: string | undefined;
    try {
      const sentAt = now();
      const families = await this.fetchFamilies(controller.signal);
      reading = this.reading(families, (sentAt + now()) / 2);
    } catch (error) {
      failure = controller.signal.aborted && controller.signal.reason instanceof Error ? controller.signal.reason.message : describeFailure(error);
    } finally {
      clearTimeout(timeout);
      this.inFlight.delete(controller);
    }
    // Cut short because the step ended: not an attempt.
    if (this.stopped) return;
    this.attempts++;
    // A slow scrape that ends after a newer one does not replace it.
    if (order < this.latestStarted) {
      if (failure !== undefined) this.failures++;
      return;
    }
    this.latestStarted = order;
    if (failure === undefined) {
      this.latest = reading;
      return;
    }
    const streakStarts = this.latest !== undefined || this.failures === 0;
    this.failures++;
    this.firstFailure ??= failure;
    this.latest = undefined;
    if (streakStarts) this.onFailure(`target metrics ${this.settings.url}: ${failure}; the server columns stay empty until a scrape works`);
  }

  private async fetchFamilies(signal: AbortSignal): Promise<Map<string, PrometheusFamily>> {
    const headers: Record<string, string> = { accept: 'text/plain;version=0.0.4' };
    if (this.settings.token !== undefined) headers.authorization = `Bearer ${this.settings.token}`;
    const response = await fetch(this.settings.url, { headers, signal });
    const body = await response.text();
    if (!response.ok) throw new ScrapeError(`answered ${response.status} ${response.statusText}`);
    try {
      return parsePrometheusText(body);
    } catch (error) {
      if (error instanceof PrometheusTextError) throw new ScrapeError(`the answer is not Prometheus text (${error.message})`);
      throw error;
    }
  }

  private reading(families: Map<string, PrometheusFamily>, at: number): ProcessSample {
    const { prefix } = this.settings;
    const cpuSeconds = metricValue(families, `${prefix}process_cpu_seconds_total`);
    const rssBytes = metricValue(families, `${prefix}process_resident_memory_bytes`);
    if (cpuSeconds === undefined || rssBytes === undefined) {
      const missing = [cpuSeconds === undefined ? 'process_cpu_seconds_total' : '', rssBytes === undefined ? 'process_resident_memory_bytes' : ''].filter(
        Boolean,
      );
      throw new ScrapeError(`it has no ${missing.map((name) => prefix + name).join(' or ')} (targetMetrics.prefix is "${prefix}")`);
    }
    if (families.has(agentInfoMetric)) this.agent = { processes: metricValue(families, agentProcessesMetric) };
    return { at, cpuMs: cpuSeconds * 1000, rssBytes, openFds: metricValue(families, `${prefix}process_open_fds`) };
  }
}

class ScrapeError extends Error {}

function describeFailure(error: unknown): string {
  if (error instanceof ScrapeError) return error.message;
  // fetch() says "fetch failed" and keeps the network error (ECONNREFUSED, ...) as its cause.
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (typeof cause?.code === 'string') return `the scrape failed (${cause.code})`;
  return `the scrape failed (${error instanceof Error ? error.message : String(error)})`;
}
