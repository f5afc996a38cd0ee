// histograms/: each step's merged histograms, one compressed-base64 HDR file per metric,
// so `sockcap merge` and `sockcap report` can recombine runs exactly, without percentiles
// averaged along the way. run.json counts each file's samples (histogramCounts), so a reader
// can tell a missing or altered file.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeHistogram } from '../metrics/histogram.js';
import type { Output, RunInfo, StepResult } from '../results/run-result.js';
import { histogramFileName, histogramsFolder } from '../results/stored-histograms.js';

export class HistogramFiles implements Output {
  private dir: string | undefined;

  runStarted(run: RunInfo): void {
    this.dir = join(run.dir, histogramsFolder);
    mkdirSync(this.dir, { recursive: true });
  }

  stepFinished(result: StepResult): void {
    if (!this.dir) return;
    for (const [metric, histogram] of result.histograms) {
      if (histogram.totalCount === 0) continue;
      writeFileSync(join(this.dir, histogramFileName(result.step.stepIndex, metric)), `${encodeHistogram(histogram)}\n`);
    }
  }
}
