// Where a step reads the server's CPU, memory and descriptors: the target's metrics
// endpoint (targetMetrics.url: its own /metrics or `sockcap agent`), else /proc for a local
// target (the built-in one, or --target-pid with its children), else nowhere.
import { measureClockOffset, type ClockOffset } from '../metrics/clock-offset.js';
import { MetricsScraper } from '../metrics/metrics-scraper.js';
import { ProcessGroup, type ServerSampler } from '../metrics/process-sampler.js';
import type { StepScenario } from '../scenario/types.js';
import type { StepTargets } from './targets.js';

export interface ServerFigures {
  sampler: ServerSampler | undefined;
  /** Set when the figures come from a metrics endpoint. */
  scraper: MetricsScraper | undefined;
  /** The target host's clock minus this one's, when the endpoint is a sockcap agent that answered its /time. */
  targetClock: ClockOffset | undefined;
}

export async function serverFigures(
  step: StepScenario,
  targets: StepTargets,
  token: string | undefined,
  warn: (message: string) => void,
): Promise<ServerFigures> {
  if (step.targetMetrics.url !== '') {
    const scraper = new MetricsScraper({ url: step.targetMetrics.url, prefix: step.targetMetrics.prefix, token, intervalMs: step.interval }, warn);
    // The first reading says whether the endpoint works and whether it is a sockcap agent.
    await scraper.firstReading();
    scraper.start();
    return { sampler: scraper, scraper, targetClock: scraper.agent ? await agentClock(step.targetMetrics.url, token, warn) : undefined };
  }
  if (targets.pids.length === 0) return { sampler: undefined, scraper: undefined, targetClock: undefined };
  // A --target-pid is a master whose workers do the work (nginx): its children count too.
  return { sampler: new ProcessGroup(targets.pids, false, !targets.builtIn), scraper: undefined, targetClock: undefined };
}

/** sockcap agent serves its host's time beside its metrics (/time next to /metrics). */
async function agentClock(metricsUrl: string, token: string | undefined, warn: (message: string) => void): Promise<ClockOffset | undefined> {
  const measured = await measureClockOffset(new URL('time', metricsUrl).href, token);
  if ('failure' in measured) {
    warn(`the clock offset to sockcap agent's host was not measured (${measured.failure}): delivery latency is not corrected`);
    return undefined;
  }
  return measured;
}
