// `sockcap run [scenario]`: load and check the scenario, run it, write the results folder.
import type { Argv, CommandModule } from 'yargs';
import { ExitCode, RunBrokenError, SockcapError } from '../errors.js';
import { runScenario } from '../coordinator/run.js';
import { ConsoleOutput } from '../outputs/console.js';
import { CsvFiles } from '../outputs/csv-files.js';
import { HistogramFiles } from '../outputs/histogram-files.js';
import { RunJson } from '../outputs/run-json.js';
import { loadScenario } from '../scenario/index.js';

export interface RunArgs {
  scenario?: string;
  set: string[];
  target?: string;
  protocol?: string;
  connections?: number;
  duration?: string;
  workers?: number;
  out: string;
  'run-id'?: string;
  'target-pid'?: number;
  quiet: boolean;
  progress?: boolean;
  strict: boolean;
}

/** Shorthand flags are --set in disguise, so they are checked by the same rules. */
const shorthands = ['target', 'protocol', 'connections', 'duration', 'workers'] as const;

export const runCommand: CommandModule<object, RunArgs> = {
  command: 'run [scenario]',
  describe: 'Run a scenario file (no argument: the quickstart against the built-in target)',
  builder: (yargs: Argv) =>
    yargs
      .positional('scenario', { type: 'string', describe: 'a .yaml or .json scenario file' })
      .option('set', { type: 'string', array: true, default: [], describe: 'override a scenario field: --set http.keepAlive=false (repeatable)' })
      .option('target', { type: 'string', describe: 'target URL (same as --set target=URL)' })
      .option('protocol', { type: 'string', describe: 'http or websocket (same as --set protocol=…)' })
      .option('connections', { alias: 'c', type: 'number', describe: 'connections (same as --set connections=N)' })
      .option('duration', { alias: 'd', type: 'string', describe: 'measured duration, e.g. 30s (same as --set duration=…)' })
      .option('workers', { alias: 'w', type: 'number', describe: 'worker threads (same as --set workers=N)' })
      .option('out', { type: 'string', default: 'results', describe: 'folder that receives results/<run-id>/' })
      .option('run-id', { type: 'string', describe: 'name of the results folder (default: time and scenario name)' })
      .option('target-pid', { type: 'number', describe: 'pid of a local external target, to sample its CPU and memory' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'print only the summary table and errors' })
      .option('strict', {
        type: 'boolean',
        default: false,
        describe: 'exit 4 when the generator was saturated in any step (its numbers cannot be trusted)',
      })
      .option('progress', { type: 'boolean', describe: 'live progress line (default: when stderr is a terminal)' })
      .example('$0 run', 'quickstart: HTTP keep-alive then WebSocket echo against the built-in target')
      .example('$0 run scenarios/http-keepalive-off.yaml --set connections=100', 'a scenario file with an override')
      .example('$0 run --target http://127.0.0.1:8080/ -c 50 -d 30s', 'wrk-style: a URL, connections and duration') as Argv<RunArgs>,
  handler: async (args) => {
    const set = [...args.set];
    for (const name of shorthands) {
      const value = args[name];
      if (value !== undefined) set.push(`${name}=${value}`);
    }
    const scenario = await loadScenario(args.scenario, { set });
    const controller = new AbortController();
    let interrupts = 0;
    const onSignal = (): void => {
      interrupts++;
      // A second Ctrl-C means now: every file is already written up to the last interval.
      if (interrupts > 1) process.exit(ExitCode.runBroken);
      controller.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const result = await runScenario(scenario, {
        resultsDir: args.out,
        runId: args['run-id'],
        targetPid: args['target-pid'],
        signal: controller.signal,
        outputs: [
          new CsvFiles(),
          new HistogramFiles(),
          new RunJson(),
          new ConsoleOutput({ quiet: args.quiet, ...(args.progress === undefined ? {} : { progress: args.progress }) }),
        ],
      });
      if (result.status === 'interrupted') process.exitCode = ExitCode.runBroken;
      else if (args.strict && result.steps.some((step) => step.saturationCauses.length > 0)) {
        process.stderr.write('sockcap: --strict: the generator was saturated, so this run is not a trustworthy measurement\n');
        process.exitCode = ExitCode.saturated;
      }
    } catch (error) {
      if (error instanceof SockcapError) throw error;
      throw new RunBrokenError(error instanceof Error ? error.message : String(error));
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};
