// `sockcap report <results-dir>`: rebuilds every file of a results folder and the console
// summary from what the run stored (run.json, histograms/, timeseries.csv), so an old run
// can be re-read by a newer sockcap, or judged against new thresholds.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { emptyLists } from './repeatable.js';
import type { Argv, CommandModule } from 'yargs';
import { ExitCode } from '../errors.js';
import { ExpressionError, parseThresholdExpression } from '../scenario/threshold-expression.js';
import { addThresholds, thresholdsFromFlags } from '../gate/threshold-flags.js';
import type { StepScenario, Threshold } from '../scenario/types.js';
import { ConsoleOutput } from '../outputs/console.js';
import { writeStepCsvFiles } from '../outputs/csv-files.js';
import { writeGateFiles } from '../outputs/gate-files.js';
import { runVerdict } from '../results/default-verdict.js';
import { evaluateThresholds } from '../gate/evaluate.js';
import { writeHtmlReport } from '../outputs/html-report.js';
import { readResults } from '../results/read-results.js';
import { StoredFileError } from '../results/stored-value.js';
import { readTimeseries, timeseriesFile } from '../results/stored-timeseries.js';

/** A threshold another sockcap version wrote that this one cannot parse is left out, and said so. */
function readableThresholds(step: StepScenario): Threshold[] {
  return step.thresholds.filter((threshold) => {
    try {
      parseThresholdExpression(threshold.expression);
      return true;
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      process.stderr.write(`warning: step ${step.stepLabel}: threshold ${error.message}: this sockcap cannot judge it, left out\n`);
      return false;
    }
  });
}

export interface ReportArgs {
  dir: string;
  threshold: string[];
  junit?: string;
  markdown?: string;
  quiet: boolean;
}

export const reportCommand: CommandModule<object, ReportArgs> = {
  command: 'report <dir>',
  describe: 'Rebuild summary.csv, latency.csv, errors.csv, thresholds.csv, report.html and the console summary of a results folder',
  builder: (yargs: Argv) =>
    yargs
      .positional('dir', { type: 'string', demandOption: true, describe: 'a results folder a run wrote (it holds run.json)' })
      .option('threshold', {
        type: 'string',
        array: true,
        describe: "judge every step by one more threshold: --threshold 'latency.p99 < 50ms' (repeatable)",
      })
      .option('junit', { type: 'string', describe: 'also write the threshold verdicts as JUnit XML to this file' })
      .option('markdown', { type: 'string', describe: 'also write a Markdown summary (for a pull-request comment or $GITHUB_STEP_SUMMARY) to this file' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'print only the tables and errors' })
      .middleware(emptyLists('threshold'))
      .example('$0 report results/20250101-120000-quickstart', 'rewrite the files and print the summary again')
      .example("$0 report results/nightly --threshold 'rtt.p99 < 20ms' --junit junit.xml", 'judge a stored run by a new threshold') as Argv<ReportArgs>,
  handler: (args) => {
    const run = readResults(args.dir);
    // The timeline of report.html is drawn from it; every other file is rebuilt from run.json and histograms/.
    // Checked before any file is rewritten, so a refused folder is left as it was.
    const timeseries = join(run.dir, timeseriesFile);
    if (!existsSync(timeseries))
      throw new StoredFileError(timeseries, 'is missing', 'restore it from the run, or run it again: report.html draws its timeline from it');
    readTimeseries(run.dir);
    for (const step of run.steps) step.step.thresholds = readableThresholds(step.step);
    addThresholds(
      run.steps.map((step) => step.step),
      thresholdsFromFlags(args.threshold),
    );
    writeStepCsvFiles(run.dir, run.runId, run.scenario.base.name, run.steps);
    // Judged again, as the thresholds are: a --threshold given here, or a run older than the verdict.
    const thresholds = evaluateThresholds(run.steps, run.abortedBy);
    run.verdict = runVerdict(run.steps, run.status, run.reason, thresholds);
    new ConsoleOutput({ quiet: args.quiet }).runFinished(run);
    const { verdicts, outcome } = writeGateFiles(run, thresholds, { junit: args.junit, markdown: args.markdown, out: process.stdout });
    writeHtmlReport(run, verdicts);
    if (!args.quiet) {
      const files = ['summary.csv', 'latency.csv', 'errors.csv', ...(verdicts.length > 0 ? ['thresholds.csv'] : []), 'report.html'];
      process.stderr.write(`rewrote ${files.join(', ')} in ${run.dir}${run.writtenBy ? ` (the run was written by sockcap ${run.writtenBy})` : ''}\n`);
    }
    if (!outcome.passed || !run.verdict.passed) process.exitCode = ExitCode.thresholdFailed;
  },
};
