// The end of a run and of `sockcap report`, in one place so both write the same files:
// threshold verdicts on the console and in thresholds.csv, and the JUnit and Markdown files
// the user asked for.
import { gateOutcome, type GateOutcome, type ThresholdVerdict } from '../results/threshold-verdict.js';
import { thresholdsText } from './gate-console.js';
import { writeThresholdsJunit } from './junit.js';
import { thresholdsMarkdown, writeMarkdown } from './markdown.js';
import type { RunResult } from '../results/run-result.js';
import { writeThresholdsCsv } from './thresholds-csv.js';

export interface GateFileOptions {
  junit?: string | undefined;
  markdown?: string | undefined;
  /** Where the verdict table goes (stdout, beside the summary table). */
  out: NodeJS.WritableStream;
}

export function writeGateFiles(run: RunResult, verdicts: ThresholdVerdict[], options: GateFileOptions): { verdicts: ThresholdVerdict[]; outcome: GateOutcome } {
  if (verdicts.length > 0) {
    writeThresholdsCsv(run.dir, verdicts);
    options.out.write(`${thresholdsText(verdicts)}\n\n`);
  }
  if (options.junit) {
    const seconds = Math.max(0, (run.endedAt.getTime() - run.startedAt.getTime()) / 1000);
    writeThresholdsJunit(options.junit, run, seconds, verdicts);
  }
  if (options.markdown) writeMarkdown(options.markdown, thresholdsMarkdown(run, verdicts));
  return { verdicts, outcome: gateOutcome(verdicts) };
}
