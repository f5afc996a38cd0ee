// histograms/ read back and checked against run.json: each step's record counts the samples
// of every histogram it wrote, so a missing, unreadable or swapped file is refused by name
// instead of a step compared, reported or merged without its latency.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage } from '../errors.js';
import { decodeHistogram, isMetricName, type Histogram, type MetricName } from '../metrics/histogram.js';
import type { Counters } from '../metrics/counters.js';
import type { StepRecord } from './run-document.js';
import { StoredFileError } from './stored-value.js';

export const histogramsFolder = 'histograms';

export function histogramFileName(stepIndex: number, metric: string): string {
  return `step-${stepIndex}-${metric}.hdr`;
}

/** Did the step count any work (so it recorded some histogram)? */
function measuredAnything(counters: Counters): boolean {
  return counters.requests + counters.messages + counters.events + counters.connectionsOpened + counters.connectionsFailed > 0;
}

/** step index → metric → histogram, every file checked against the samples run.json counts for it. */
export function readStepHistograms(dir: string, steps: readonly StepRecord[]): Map<number, Map<MetricName, Histogram>> {
  const folder = join(dir, histogramsFolder);
  const runJson = join(dir, 'run.json');
  const names = existsSync(folder) ? readdirSync(folder) : undefined;
  const byStep = new Map<number, Map<MetricName, Histogram>>();
  for (const step of steps) {
    const metrics = new Map<MetricName, Histogram>();
    byStep.set(step.index, metrics);
    if (names === undefined) {
      if (step.histogramCounts === undefined && !measuredAnything(step.counters)) continue;
      if (step.histogramCounts !== undefined && Object.keys(step.histogramCounts).length === 0) continue;
      throw new StoredFileError(folder, `is missing, and step ${step.label} of ${runJson} recorded samples in it`, 'restore the folder from the run, or run it again');
    }
    const prefix = `step-${step.index}-`;
    const present = names.filter((name) => name.startsWith(prefix) && name.endsWith('.hdr')).map((name) => name.slice(prefix.length, -'.hdr'.length));
    // Runs written before the counts were kept: whatever files are there, each one readable.
    const expected = step.histogramCounts ?? Object.fromEntries(present.map((metric) => [metric, undefined]));
    for (const metric of present) {
      if (!(metric in expected)) {
        throw new StoredFileError(join(folder, histogramFileName(step.index, metric)), `is not one of the histograms ${runJson} lists for step ${step.label}`);
      }
    }
    for (const [metric, count] of Object.entries(expected)) {
      // A metric a newer sockcap wrote is left out, not guessed at.
      if (!isMetricName(metric)) continue;
      const file = join(folder, histogramFileName(step.index, metric));
      if (!present.includes(metric)) {
        throw new StoredFileError(file, `is missing; ${runJson} counts ${count} samples in it for step ${step.label}`, 'restore the file from the run, or run it again');
      }
      const histogram = readHistogram(file);
      if (count !== undefined && histogram.totalCount !== count) {
        throw new StoredFileError(file, `holds ${histogram.totalCount} samples where ${runJson} counts ${count} for step ${step.label}`);
      }
      metrics.set(metric, histogram);
    }
  }
  return byStep;
}

function readHistogram(file: string): Histogram {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw new StoredFileError(file, `cannot be read (${errorMessage(error)})`, 'check its permissions, or restore it from the run');
  }
  try {
    return decodeHistogram(text);
  } catch (error) {
    throw new StoredFileError(file, `is not an encoded HDR histogram (${errorMessage(error)})`);
  }
}
