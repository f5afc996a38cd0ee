// report.html: one self-contained page per results folder (uPlot and the data inlined, no
// network), rebuilt after every step and at the end of the run, and by `sockcap report`.
// The verdict comes first; then the views the run's steps call for (capacity ladder,
// keep-alive sweep, transports), the thresholds, and the views every run has.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ThresholdJudge, ThresholdVerdict } from '../results/threshold-verdict.js';
import type { Output, RunInfo, RunResult, StepResult } from '../results/run-result.js';
import { capacitySection } from './report/capacity-view.js';
import { distributionSection } from './report/distribution-view.js';
import { renderPage } from './report/page.js';
import { errorsSection, stepsSection, summarySection } from './report/steps-view.js';
import { thresholdsSection } from './report/thresholds-view.js';
import { sweepSection, type SweepRecord } from './report/sweep-view.js';
import { timelineSection } from './report/timeline-view.js';
import { transportsSection } from './report/transports-view.js';
import { runHeadline, type Machine, type ReportRun } from './report/verdict.js';

export type { ReportRun } from './report/verdict.js';

export class HtmlReport implements Output {
  private run: RunInfo | undefined;
  private readonly steps: StepResult[] = [];
  private pending: NodeJS.Immediate | undefined;
  private failure: { error: unknown } | undefined;

  /** `judge` gives the thresholds' verdicts on the steps so far (src/gate/ evaluates them; this only shows them). */
  constructor(private readonly judge: ThresholdJudge) {}

  runStarted(run: RunInfo): void {
    this.run = run;
  }

  stepFinished(result: StepResult): void {
    this.steps.push(result);
    // Drawn once the step's other files are out, unless the run ends first and draws the final page:
    // a page costs hundreds of ms on a busy machine, and an interrupted run must end within 2 s.
    clearImmediate(this.pending);
    this.pending = setImmediate(() => {
      try {
        if (this.run) writeHtmlReport({ ...this.run, steps: this.steps }, this.judge(this.steps));
      } catch (error) {
        this.failure ??= { error };
      }
    });
    this.throwFailure();
  }

  runFinished(run: RunResult): void {
    clearImmediate(this.pending);
    writeHtmlReport(run, this.judge(run.steps));
    this.throwFailure();
  }

  /** A page that could not be written between calls is reported at the next one, as if it had failed there. */
  private throwFailure(): void {
    const failure = this.failure;
    this.failure = undefined;
    if (failure) throw failure.error;
  }
}

/** What run.json adds to the run: the machine it ran on, the SLO of --until-slo, a sweep's varied fields. */
interface RunDocument {
  environment?: Machine;
  untilSlo?: string;
  sweep?: SweepRecord;
}

function readRunDocument(dir: string): RunDocument {
  const file = join(dir, 'run.json');
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as RunDocument;
  } catch {
    return {};
  }
}

export function writeHtmlReport(run: ReportRun, verdicts: readonly ThresholdVerdict[]): string {
  const file = join(run.dir, 'report.html');
  const document = readRunDocument(run.dir);
  const sections = [
    thresholdsSection(verdicts),
    capacitySection(run, document.untilSlo),
    sweepSection(run, document.sweep),
    transportsSection(run),
    summarySection(run),
    stepsSection(run),
    timelineSection(run),
    distributionSection(run),
    errorsSection(run),
  ];
  writeFileSync(file, renderPage(runHeadline(run, verdicts, document.environment), sections));
  return file;
}
