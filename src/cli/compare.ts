// `sockcap compare <baseline-dir> <current-dir>`, or `--baseline dir1 dir2 dir3 <current-dir>`:
// compares results folders on merged histograms and counters, prints and writes the
// verdict per step and metric, and exits 1 on a regression beyond its allowance.
import { emptyLists } from './repeatable.js';
import type { Argv, CommandModule } from 'yargs';
import { ExitCode, UsageError } from '../errors.js';
import { parseAllowanceRule } from '../gate/allowance.js';
import { compareRuns } from '../gate/compare.js';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseDuration, UnitError } from '../scenario/units.js';
import { writeCompareCsv } from '../outputs/compare-csv.js';
import { writeCompareHtml } from '../outputs/report/compare-view.js';
import { compareText } from '../outputs/gate-console.js';
import { writeCompareJunit } from '../outputs/junit.js';
import { compareMarkdown, writeMarkdown } from '../outputs/markdown.js';
import { readResults } from '../results/read-results.js';

export interface CompareArgs {
  dirs: string[];
  baseline: string[];
  'max-regression': string[];
  csv?: string;
  out?: string;
  force: boolean;
  'latency-floor': string;
  junit?: string;
  markdown?: string;
}

export const compareCommand: CommandModule<object, CompareArgs> = {
  command: 'compare [dirs..]',
  describe: 'Compare a run with a baseline run (or several) on merged histograms; exit 1 on a regression',
  builder: (yargs: Argv) =>
    yargs
      .positional('dirs', {
        type: 'string',
        array: true,
        default: undefined,
        describe: 'baseline-dir current-dir (with --baseline, the current folder comes last)',
      })
      .option('baseline', {
        type: 'string',
        array: true,
        describe: 'baseline results folders, then the current one last; with several baselines, run-to-run noise is measured from their spread',
      })
      .option('max-regression', {
        type: 'string',
        array: true,
        describe: 'allowance per metric: latency.p99=10%, throughput_per_s=-5%, error_rate=0.5pp, latency.p50=2ms, rtt.p999=off (repeatable)',
      })
      .option('out', { type: 'string', describe: 'folder that receives compare.csv and compare.html (default: the current results folder)' })
      .option('csv', { type: 'string', describe: 'where compare.csv goes (default: compare.csv in --out)' })
      .option('force', {
        type: 'boolean',
        default: false,
        describe: 'compare steps of different protocol, workload or target anyway (refused otherwise, exit 2)',
      })
      .option('latency-floor', {
        type: 'string',
        default: '1ms',
        describe: 'a latency must also rise by more than this to be a regression (0 for none)',
      })
      .option('junit', { type: 'string', describe: 'also write the verdicts as JUnit XML to this file' })
      .option('markdown', { type: 'string', describe: 'also write a Markdown table (for a pull-request comment or $GITHUB_STEP_SUMMARY) to this file' })
      .middleware(emptyLists('dirs', 'baseline', 'max-regression'))
      .example('$0 compare results/main results/pr', 'one baseline run against the current one')
      .example(
        '$0 compare --baseline results/main-1 results/main-2 results/main-3 results/pr',
        'three baseline runs: changes within their spread are not flagged',
      )
      .example(
        '$0 compare results/main results/pr --max-regression latency.p99=5% --max-regression throughput_per_s=-3%',
        'tighter allowances',
      ) as Argv<CompareArgs>,
  handler: (args) => {
    const dirs = args.dirs.map(String);
    let baselineDirs: string[];
    let currentDir: string;
    if (args.baseline.length > 0) {
      // `--baseline a b c current` reads every folder as a baseline: the last one is the current run.
      const given = dirs.length === 0 ? args.baseline.map(String) : [...args.baseline.map(String), ...dirs];
      if (given.length < 2 || dirs.length > 1) {
        throw new UsageError('compare: with --baseline, give the baseline folders and then one current results folder: --baseline dir1 dir2 current-dir');
      }
      baselineDirs = given.slice(0, -1);
      currentDir = given[given.length - 1]!;
    } else {
      if (dirs.length !== 2)
        throw new UsageError(`compare: give a baseline and a current results folder, or --baseline dir... current-dir (got ${dirs.length} folders)`);
      baselineDirs = [dirs[0]!];
      currentDir = dirs[1]!;
    }
    const rules = args['max-regression'].map((flag) => parseAllowanceRule(String(flag)));
    const latencyFloorMs = parseLatencyFloor(args['latency-floor']);
    const baselines = baselineDirs.map((dir) => readResults(dir));
    const current = readResults(currentDir);
    const comparison = compareRuns(baselines, current, rules, { latencyFloorMs, force: args.force });
    if (comparison.rows.length === 0) {
      const labels = (steps: { step: { stepLabel: string } }[]): string => steps.map((step) => step.step.stepLabel).join(', ') || 'none';
      throw new UsageError(
        `compare: no step in common, nothing to compare (steps are matched by label: baseline has ${labels(baselines[0]!.steps)}, current has ${labels(current.steps)})`,
      );
    }
    // Beside the current run by default, never in whatever directory the command ran from.
    const csvFile = args.csv ?? join(args.out ?? currentDir, 'compare.csv');
    mkdirSync(dirname(csvFile), { recursive: true });
    writeCompareCsv(csvFile, comparison);
    process.stdout.write(`${compareText(comparison)}\n`);
    // compare.html goes beside compare.csv: the verdicts, and both runs' distributions overlaid.
    const htmlFile = join(dirname(csvFile), 'compare.html');
    writeCompareHtml(htmlFile, comparison);
    process.stderr.write(`compare.csv: ${csvFile}\ncompare.html: ${htmlFile}\n`);
    if (args.junit) writeCompareJunit(args.junit, comparison);
    if (args.markdown) writeMarkdown(args.markdown, compareMarkdown(comparison));
    if (comparison.regressions.length > 0) process.exitCode = ExitCode.thresholdFailed;
  },
};

function parseLatencyFloor(text: string): number {
  try {
    const ms = parseDuration(text);
    if (ms >= 0) return ms;
  } catch (error) {
    if (!(error instanceof UnitError)) throw error;
  }
  throw new UsageError(`--latency-floor: expected a duration like 1ms or 500us (0 for none), got ${JSON.stringify(text)}`);
}
