// `sockcap sweep <scenario> --vary path=a,b …`: run the scenario once per combination of the
// varied values (the built-in target restarted with each server setting), write sweep.csv
// beside the usual files, and name the best combination for the user's goal.
// `sockcap sweep --resume <results-dir>` runs the combinations an interrupted sweep left.
import { emptyLists } from './repeatable.js';
import type { Argv, CommandModule } from 'yargs';
import { abortOnInterrupt } from './interrupts.js';
import { run } from '../api.js';
import { targetPidFlag } from './target-pid.js';
import { ExitCode, UsageError } from '../errors.js';
import { ConsoleOutput } from '../outputs/console.js';
import type { ServerTimeout } from '../outputs/keepalive-columns.js';
import type { Output } from '../results/run-result.js';
import { SweepConsole } from '../sweep/sweep-console.js';
import { SweepCsv } from '../sweep/sweep-csv.js';
import { findingLine, probeIdleTimeout } from '../probe/probe.js';
import { loadScenario } from '../api.js';
import { parseDuration, UnitError } from '../scenario/units.js';
import { goalNames, type GoalName } from '../sweep/goal.js';
import { planSweep, type SweepPlan } from '../sweep/plan.js';
import { readSweep, type SweepAnnotation } from '../sweep/resume.js';
import { parseVary } from '../sweep/vary.js';
import { probeOptions, probing } from './probe.js';
import { addLiveFlags, liveOptions, type LiveArgs } from './live-flags.js';
import { startLiveOutputs } from '../outputs/live-outputs.js';

export interface SweepArgs extends LiveArgs {
  scenario?: string;
  vary: string[];
  set: string[];
  target?: string;
  goal?: string;
  probe: boolean;
  'server-timeout'?: string;
  'max-idle': string;
  resume?: string;
  out: string;
  'run-id'?: string;
  connections?: string;
  duration?: string;
  workers?: string;
  'target-pid'?: number;
  quiet: boolean;
  progress?: boolean;
}

/** The shorthands `run` has, --set in disguise; a problem with one names the flag typed. */
const shorthands = { connections: '-c/--connections', duration: '-d/--duration', workers: '-w/--workers' } as const;

export const sweepCommand: CommandModule<object, SweepArgs> = {
  command: 'sweep [scenario]',
  describe: 'Run a scenario once per combination of --vary values and write sweep.csv (keep-alive timeouts, think times, …)',
  builder: (yargs: Argv) =>
    addLiveFlags(yargs)
      .positional('scenario', { type: 'string', describe: 'a .yaml or .json scenario file without steps' })
      .option('vary', {
        type: 'string',
        array: true,
        describe: 'a field and its values: --vary server.keepAliveTimeout=1s,5s,15s (repeatable; every combination runs)',
      })
      .option('set', { type: 'string', array: true, describe: 'override a scenario field for every combination (repeatable)' })
      .option('target', { type: 'string', describe: 'an external target URL (same as --set target=URL): only client-side fields can be varied' })
      .option('connections', { alias: 'c', type: 'string', describe: 'connections of every combination (same as --set connections=N)' })
      .option('duration', { alias: 'd', type: 'string', describe: 'measured duration of every combination, e.g. 10s (same as --set duration=…)' })
      .option('workers', { alias: 'w', type: 'string', describe: 'worker threads (same as --set workers=N)' })
      .option('target-pid', { type: 'number', describe: 'pid of a local external target, to sample its CPU and memory' })
      .option('goal', { type: 'string', choices: goalNames, describe: 'what "best" means in the verdict (default lowest-p99)' })
      .option('probe', {
        type: 'boolean',
        default: false,
        describe: 'external target: find its keep-alive idle timeout first and record it in run.json and sweep.csv',
      })
      .option('server-timeout', { type: 'string', describe: 'external target: its keep-alive idle timeout, when known (e.g. 60s)' })
      .option('max-idle', { type: 'string', default: '60s', describe: 'with --probe: longest idle time to try' })
      .option('resume', { type: 'string', describe: 'continue the interrupted sweep in this results folder' })
      .option('out', { type: 'string', default: 'results', describe: 'folder that receives results/<run-id>/' })
      .option('run-id', { type: 'string', describe: 'name of the results folder (default: time and scenario name)' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'print only the tables and errors' })
      .option('progress', { type: 'boolean', describe: 'live progress line; --no-progress turns it off (default: on when stderr is a terminal)' })
      .middleware(emptyLists('vary', 'set'))
      .example(
        '$0 sweep scenarios/keepalive-sweep.yaml --vary server.keepAliveTimeout=1s,5s --vary thinkTime=500ms,2s',
        'four combinations against the built-in target',
      )
      .example('$0 sweep --resume results/20250101-120000-keepalive-sweep', 'run what an interrupted sweep left') as Argv<SweepArgs>,
  handler: async (args) => {
    const targetPid = targetPidFlag(args['target-pid']);
    const { plan, annotation, resume } = args.resume === undefined ? await newSweep(args) : await resumedSweep(args, args.resume);
    const sweepCsv = new SweepCsv({ dimensions: plan.dimensions, combos: plan.combos, serverTimeout: annotation.serverTimeout });
    const console = new ConsoleOutput({ quiet: args.quiet, ...(args.progress === undefined ? {} : { progress: args.progress }) });
    const live = await startLiveOutputs(liveOptions(args));
    const controller = new AbortController();
    const hurry = new AbortController();
    const stopListening = abortOnInterrupt(controller, hurry);
    try {
      const result = await run(plan.scenario, {
        resultsDir: args.out,
        ...(args['run-id'] === undefined ? {} : { runId: args['run-id'] }),
        ...(targetPid === undefined ? {} : { targetPid }),
        signal: controller.signal,
        hurry: hurry.signal,
        annotations: { sweep: annotation },
        ...(resume ? { resume } : {}),
        outputs: [...live.outputs, sweepCsv, new SweepConsole(() => sweepCsv.rows(), sweepCsv.layout, annotation.goal), withoutStepTable(console)],
      });
      if (result.status === 'interrupted') process.exitCode = ExitCode.runBroken;
      else if (!result.verdict.passed) process.exitCode = ExitCode.thresholdFailed;
    } finally {
      stopListening();
      await live.close();
    }
  },
};

async function newSweep(args: SweepArgs): Promise<{ plan: SweepPlan; annotation: SweepAnnotation; resume: undefined }> {
  const set = [...args.set, ...(args.target === undefined ? [] : [`target=${args.target}`])];
  const flags: Record<string, string> = args.target === undefined ? {} : { target: '--target' };
  for (const [name, flag] of Object.entries(shorthands) as [keyof typeof shorthands, string][]) {
    const value = args[name];
    if (value === undefined) continue;
    set.push(`${name}=${value}`);
    flags[name] = flag;
  }
  const plan = planSweep(await loadScenario(args.scenario, { set, flags }), parseVary(args.vary));
  const target = plan.scenario.base.target;
  const serverTimeout = await externalTimeout(args, target);
  const goal = (args.goal ?? 'lowest-p99') as GoalName;
  return { plan, annotation: { dimensions: plan.dimensions, goal, serverTimeout }, resume: undefined };
}

async function resumedSweep(args: SweepArgs, dir: string) {
  const given = [
    args.scenario && 'a scenario',
    args.vary.length > 0 && '--vary',
    args.set.length > 0 && '--set',
    args.target && '--target',
    args.connections && '-c/--connections',
    args.duration && '-d/--duration',
    args.workers && '-w/--workers',
    args.probe && '--probe',
  ]
    .filter(Boolean)
    .join(', ');
  if (given) throw new UsageError(`--resume: ${given} cannot change a sweep half-way; the folder's run.json says what to run`);
  const stored = readSweep(dir);
  const annotation = { ...stored.annotation, goal: (args.goal as GoalName | undefined) ?? stored.annotation.goal };
  const left = stored.plan.combos.length - stored.finished.length;
  process.stderr.write(`resuming ${dir}: ${stored.finished.length} of ${stored.plan.combos.length} combinations done, ${left} to run\n`);
  return { plan: stored.plan, annotation, resume: { runId: stored.runId, dir, finished: stored.finished } };
}

/** The external target's idle timeout: probed, given, or unknown; the built-in target's is in each step. */
async function externalTimeout(args: SweepArgs, target: string | undefined): Promise<ServerTimeout | undefined> {
  const flag = args['server-timeout'];
  if (target === undefined) {
    if (args.probe || flag !== undefined) {
      throw new UsageError(
        `${args.probe ? '--probe' : '--server-timeout'}: only for an external target; the built-in target's timeout is server.keepAliveTimeout`,
      );
    }
    return undefined;
  }
  if (args.probe && flag !== undefined) throw new UsageError('--probe and --server-timeout: give one (the probe finds what --server-timeout would tell)');
  if (flag !== undefined) return { ms: serverTimeoutFlag(flag), source: '--server-timeout' };
  if (!args.probe) return undefined;
  if (!/^https?:/.test(target)) throw new UsageError(`--probe: finds an HTTP keep-alive timeout, so it needs an http:// or https:// target, got ${target}`);
  const url = new URL(target);
  const finding = await probing(target, () =>
    probeIdleTimeout(url, probeOptions({ 'max-idle': args['max-idle'], resolution: '100ms', 'max-requests': 1, timeout: '10s', insecure: false })),
  );
  process.stderr.write(`probe: ${findingLine(finding)}\n`);
  if (typeof finding.value !== 'number')
    throw new UsageError(`--probe: no idle timeout found (${finding.text}); give --server-timeout, or a longer --max-idle`);
  return { ms: finding.value, source: 'probe', resolutionMs: finding.resolutionMs, found: finding.text };
}

function serverTimeoutFlag(text: string): number {
  try {
    const ms = parseDuration(text);
    if (ms > 0) return ms;
  } catch (error) {
    if (!(error instanceof UnitError)) throw error;
  }
  throw new UsageError(`--server-timeout: expected a duration above 0 like 60s, got "${text}"`);
}

/** The console's own per-step table would repeat the sweep table: keep its lines, drop the table. */
function withoutStepTable(console: ConsoleOutput): Output {
  return {
    runStarted: (run) => console.runStarted(run),
    stepStarted: (step, plan) => console.stepStarted(step, plan),
    interval: (row) => console.interval(row),
    stepFinished: (result) => console.stepFinished(result),
    runFinished: (run) => console.runFinished({ ...run, steps: [] }),
  };
}
