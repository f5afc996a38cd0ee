// `sockcap merge <dirs...> --out <dir>`: one results folder from the shards of a run.
import type { Argv, CommandModule } from 'yargs';
import { ExitCode } from '../errors.js';
import { mergeShards } from '../merge/merge.js';
import { ConsoleOutput } from '../outputs/console.js';
import { writeGateFiles } from '../outputs/gate-files.js';
import { evaluateThresholds } from '../gate/evaluate.js';
import { recordGate } from '../outputs/run-json.js';

export interface MergeArgs {
  dirs: string[];
  out: string;
  'allow-partial': boolean;
  quiet: boolean;
  junit?: string;
  markdown?: string;
}

export const mergeCommand: CommandModule<object, MergeArgs> = {
  command: 'merge <dirs..>',
  describe: 'Merge the results folders of the shards of one run into one results folder',
  builder: (yargs: Argv) =>
    yargs
      // No default: `<dirs..>` requires one folder, and yargs would print "[default: []]" beside "[required]".
      .positional('dirs', { type: 'string', array: true, default: undefined, describe: "the shards' results folders (at least one)" })
      .option('out', { type: 'string', demandOption: true, describe: 'folder for the merged results (must not hold a run yet)' })
      .option('allow-partial', { type: 'boolean', default: false, describe: 'merge even when shards are missing or duplicated; the result is marked partial' })
      .option('junit', { type: 'string', describe: "the merged run's threshold verdicts as JUnit XML" })
      .option('markdown', { type: 'string', describe: "the merged run's summary and verdicts as Markdown" })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'print only the summary table and errors' })
      .example('$0 merge shard-*/results/* --out results/merged', 'merge every shard of a run') as Argv<MergeArgs>,
  handler: (args) => {
    const result = mergeShards(args.dirs, {
      out: args.out,
      allowPartial: args['allow-partial'],
      outputs: [new ConsoleOutput({ quiet: args.quiet, progress: false })],
    });
    // Thresholds are judged again on the whole: a shard can pass alone while the run fails.
    const gate = writeGateFiles(result, evaluateThresholds(result.steps), { junit: args.junit, markdown: args.markdown, out: process.stdout });
    if (gate.verdicts.length > 0) recordGate(result.dir, { thresholds: gate.verdicts, abortedBy: undefined });
    if (result.status !== 'completed') process.exitCode = ExitCode.runBroken;
    else if (!gate.outcome.passed || !result.verdict.passed) process.exitCode = ExitCode.thresholdFailed;
  },
};
