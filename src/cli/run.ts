// `sockcap run [scenario]`: load and check the scenario, run it, write the results folder.
import { emptyLists } from './repeatable.js';
import type { Argv, CommandModule } from 'yargs';
import { abortOnInterrupt } from './interrupts.js';
import { targetPidFlag } from './target-pid.js';
import { ExitCode } from '../errors.js';
import { run } from '../api.js';
import { ConsoleOutput } from '../outputs/console.js';
import { recordGate } from '../outputs/run-json.js';
import { writeGateFiles } from '../outputs/gate-files.js';
import { evaluateThresholds } from '../gate/evaluate.js';
import { addThresholds, thresholdsFromFlags } from '../gate/threshold-flags.js';
import { ThresholdWatch } from '../gate/watch.js';
import { loadScenario } from '../api.js';
import { protocolForUrl } from '../protocols/scenario-rules.js';
import { protocols } from '../scenario/types.js';
import { CapacityCsv } from '../outputs/capacity-csv.js';
import type { StepResult } from '../results/run-result.js';
import { UntilSlo } from '../gate/until-slo.js';
import { parseShard, parseStartAt } from './shard-flags.js';
import { addLiveFlags, liveOptions, type LiveArgs } from './live-flags.js';
import { startLiveOutputs } from '../outputs/live-outputs.js';

export interface RunArgs extends LiveArgs {
  scenario?: string;
  set: string[];
  target?: string;
  protocol?: string;
  connections?: string;
  duration?: string;
  workers?: string;
  out: string;
  'run-id'?: string;
  'target-pid'?: number;
  'target-metrics'?: string;
  'target-metrics-token'?: string;
  quiet: boolean;
  progress?: boolean;
  strict: boolean;
  shard?: string;
  'start-at'?: string;
  'until-slo'?: string;
  threshold: string[];
  junit?: string;
  markdown?: string;
}

/** Shorthand flags are --set in disguise, so they are checked by the same rules; a problem names the flag typed. */
const shorthands = { target: '--target', protocol: '--protocol', connections: '-c/--connections', duration: '-d/--duration', workers: '-w/--workers' } as const;

/**
 * The scenario the flags ask for. No file and a target or protocol (--target, --protocol, or
 * the same with --set): one step of exactly that (wrk-style), its protocol the one given, or
 * else the URL's scheme's (ws://, wss:// → websocket); no file and neither: the quickstart.
 */
export function scenarioFlags(args: Pick<RunArgs, 'scenario' | 'set' | 'target-metrics' | keyof typeof shorthands>): {
  set: string[];
  flags: Record<string, string>;
  commandLine: boolean;
} {
  const set = [...args.set];
  const flags: Record<string, string> = {};
  for (const [name, flag] of Object.entries(shorthands) as [keyof typeof shorthands, string][]) {
    const value = args[name];
    if (value === undefined) continue;
    set.push(`${name}=${value}`);
    flags[name] = flag;
  }
  if (args['target-metrics'] !== undefined) {
    set.push(`targetMetrics.url=${args['target-metrics']}`);
    flags['targetMetrics.url'] = '--target-metrics';
  }
  // The last assignment wins, as applying them in order does; a shorthand comes after every --set.
  const assigned = (field: string): string | undefined =>
    set
      .findLast((assignment) => assignment.startsWith(`${field}=`))
      ?.slice(field.length + 1)
      .trim();
  const target = assigned('target');
  const commandLine = args.scenario === undefined && (target !== undefined || assigned('protocol') !== undefined);
  // A protocol the user gave is never replaced by the scheme's: a scheme that contradicts it is refused by validation.
  const implied = commandLine && assigned('protocol') === undefined && target !== undefined ? protocolForUrl(target) : undefined;
  if (implied !== undefined) {
    set.push(`protocol=${implied}`);
    flags.protocol = flags.target ? `--target ${target}` : `--set target=${target}`;
  }
  return { set, flags, commandLine };
}

export const runCommand: CommandModule<object, RunArgs> = {
  command: 'run [scenario]',
  describe: 'Run a scenario file (no argument: the quickstart against the built-in target)',
  builder: (yargs: Argv) =>
    addLiveFlags(yargs)
      .positional('scenario', { type: 'string', describe: 'a .yaml or .json scenario file' })
      .option('set', { type: 'string', array: true, describe: 'override a scenario field: --set http.keepAlive=false (repeatable)' })
      .option('target', { type: 'string', describe: 'target URL (same as --set target=URL)' })
      .option('protocol', { type: 'string', describe: `${protocols.join(', ')} (same as --set protocol=…)` })
      .option('connections', { alias: 'c', type: 'string', describe: 'connections (same as --set connections=N)' })
      .option('duration', { alias: 'd', type: 'string', describe: 'measured duration, e.g. 30s (same as --set duration=…)' })
      .option('workers', { alias: 'w', type: 'string', describe: 'worker threads (same as --set workers=N)' })
      .option('out', { type: 'string', default: 'results', describe: 'folder that receives results/<run-id>/' })
      .option('run-id', { type: 'string', describe: 'name of the results folder (default: time and scenario name)' })
      .option('target-pid', { type: 'number', describe: 'pid of a local external target, to sample its CPU and memory' })
      .option('target-metrics', {
        type: 'string',
        describe: "the target's Prometheus endpoint, or sockcap agent's, to read the server's CPU and memory from (same as --set targetMetrics.url=URL)",
      })
      .option('target-metrics-token', {
        type: 'string',
        describe: 'bearer token for --target-metrics (sockcap agent --token); default $SOCKCAP_TARGET_METRICS_TOKEN',
      })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'print only the summary table and errors' })
      .option('strict', {
        type: 'boolean',
        default: false,
        describe: 'exit 4 when the generator was saturated in any step (its numbers cannot be trusted)',
      })
      .option('until-slo', {
        type: 'string',
        describe: 'stop at the first step that breaks this SLO, e.g. "connect.p99 < 100ms" (capacity ladders)',
      })
      .option('shard', { type: 'string', describe: 'run slice i of n of the scenario, e.g. 2/8 (default: JOB_COMPLETION_INDEX/SHARD_COUNT or 1/1)' })
      .option('start-at', { type: 'string', describe: 'start the first step at this time (ISO, or +30s), to line shards up' })
      .option('progress', { type: 'boolean', describe: 'live progress line; --no-progress turns it off (default: on when stderr is a terminal)' })
      .option('threshold', {
        type: 'string',
        array: true,
        describe: "fail the run (exit 1) unless every step meets it: --threshold 'latency.p99 < 50ms' (repeatable)",
      })
      .option('junit', { type: 'string', describe: 'write the threshold verdicts as JUnit XML to this file' })
      .option('markdown', { type: 'string', describe: 'write a Markdown summary (for a pull-request comment or $GITHUB_STEP_SUMMARY) to this file' })
      .middleware(emptyLists('set', 'threshold'))
      .example('$0 run', 'quickstart: HTTP keep-alive then WebSocket echo against the built-in target')
      .example('$0 run scenarios/http-keepalive-off.yaml --set connections=100', 'a scenario file with an override')
      .example('$0 run --target http://127.0.0.1:8080/ -c 50 -d 30s', 'wrk-style: one HTTP step against a URL, with connections and duration')
      .example('$0 run --target ws://127.0.0.1:8080/ws -c 50', 'one WebSocket echo step (the scheme says websocket)') as Argv<RunArgs>,
  handler: async (args) => {
    const targetPid = targetPidFlag(args['target-pid']);
    const scenario = await loadScenario(args.scenario, scenarioFlags(args));
    addThresholds([scenario.base, ...scenario.steps], thresholdsFromFlags(args.threshold));
    const shard = parseShard(args.shard);
    const startAt = parseStartAt(args['start-at']);
    const untilSlo = args['until-slo'] === undefined ? undefined : new UntilSlo(args['until-slo']);
    const live = await startLiveOutputs(liveOptions(args));
    const capacity = new CapacityCsv();
    const controller = new AbortController();
    const hurry = new AbortController();
    const watch = new ThresholdWatch((reason) => controller.abort(reason));
    const stopListening = abortOnInterrupt(controller, hurry);
    try {
      const result = await run(scenario, {
        resultsDir: args.out,
        ...(args['run-id'] === undefined ? {} : { runId: args['run-id'] }),
        ...(targetPid === undefined ? {} : { targetPid }),
        ...metricsToken(args['target-metrics-token']),
        signal: controller.signal,
        hurry: hurry.signal,
        shard: { index: shard.index + 1, count: shard.count },
        ...(startAt === undefined ? {} : { startAt: new Date(startAt) }),
        // report.html draws the SLO's limit on the capacity ladder.
        ...(untilSlo ? { annotations: { untilSlo: untilSlo.result().expression } } : {}),
        thresholdAbort: () => watch.aborted,
        ...(untilSlo
          ? {
              stopAfter: (step: StepResult) => {
                const broke = untilSlo.broke(step);
                capacity.slo = untilSlo.result();
                return broke ? untilSlo.describe() : undefined;
              },
            }
          : {}),
        files: { capacity, aborted: () => watch.aborted },
        outputs: [...live.outputs, watch, new ConsoleOutput({ quiet: args.quiet, ...(args.progress === undefined ? {} : { progress: args.progress }) })],
      });
      if (untilSlo) process.stderr.write(`${untilSlo.describe()}\n`);
      // Verdicts come after every other file is written; abortOnFail's stop is a failed threshold, not a broken run.
      const gate = writeGateFiles(result, evaluateThresholds(result.steps, watch.aborted), { junit: args.junit, markdown: args.markdown, out: process.stdout });
      if (gate.verdicts.length > 0) recordGate(result.dir, { thresholds: gate.verdicts, abortedBy: watch.aborted });
      if (result.status === 'interrupted' && !watch.aborted) process.exitCode = ExitCode.runBroken;
      else if (!gate.outcome.passed || !result.verdict.passed) process.exitCode = ExitCode.thresholdFailed;
      else if (args.strict && result.steps.some((step) => step.saturationCauses.length > 0)) {
        process.stderr.write('sockcap: --strict: the generator was saturated, so this run is not a trustworthy measurement\n');
        process.exitCode = ExitCode.saturated;
      }
    } finally {
      stopListening();
      await live.close();
    }
  },
};

/** The flag, else the environment (a Kubernetes Secret), so the token need not be on a command line. */
function metricsToken(flag: string | undefined): { targetMetricsToken?: string } {
  const token = flag ?? process.env.SOCKCAP_TARGET_METRICS_TOKEN;
  return token === undefined || token === '' ? {} : { targetMetricsToken: token };
}
