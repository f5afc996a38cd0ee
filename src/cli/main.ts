// The command line: one module per verb, parsed by yargs into typed options.
import yargs, { type CommandModule } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { UsageError } from '../errors.js';
import { version } from '../version.js';
/**
 * Every verb and how to load its module, in the order --help lists them. Only the verb asked
 * for is loaded: each module imports everything its command runs, and `sockcap run` has no
 * use for the prober, the sweep or the agent (their modules cost it CPU at every start).
 */
const commandLoaders: Readonly<Record<string, () => Promise<CommandModule>>> = {
  run: async () => (await import('./run.js')).runCommand as CommandModule,
  merge: async () => (await import('./merge.js')).mergeCommand as CommandModule,
  serve: async () => (await import('./serve.js')).serveCommand as CommandModule,
  compare: async () => (await import('./compare.js')).compareCommand as CommandModule,
  report: async () => (await import('./report.js')).reportCommand as CommandModule,
  sweep: async () => (await import('./sweep.js')).sweepCommand as CommandModule,
  probe: async () => (await import('./probe.js')).probeCommand as CommandModule,
  agent: async () => (await import('./agent.js')).agentCommand as CommandModule,
  schema: async () => (await import('./schema.js')).schemaCommand,
};

const verbNames = Object.keys(commandLoaders);

/** `run, serve, …`: every verb. */
const verbs = verbNames.join(', ');

/** The modules of the verb argv names, or of every verb when it names none (help, a typo). */
export async function commandsFor(argv: readonly string[]): Promise<CommandModule[]> {
  const verb = argv.find((arg) => !arg.startsWith('-'));
  const loaders = verb !== undefined && Object.hasOwn(commandLoaders, verb) ? [commandLoaders[verb]!] : Object.values(commandLoaders);
  return Promise.all(loaders.map((load) => load()));
}

export async function main(argv: string[] = hideBin(process.argv)): Promise<void> {
  let parser = yargs(argv).scriptName('sockcap');
  for (const command of await commandsFor(argv)) parser = parser.command(command);
  await parser
    // .fail adds "(see sockcap --help)".
    .demandCommand(1, `name a command: sockcap <command>, one of ${verbs}`)
    .strict()
    .version(version)
    .help()
    .alias('h', 'help')
    // cliui cuts words to fit a fixed width; unwrapped text reads better in a pipe or a file.
    .wrap(process.stdout.isTTY ? Math.min(120, process.stdout.columns) : null)
    .fail((message, error) => {
      if (error) throw error;
      throw new UsageError(unknownArguments(message, argv) ?? `${message} (see sockcap --help)`);
    })
    .parseAsync();
}

/**
 * yargs says "Unknown arguments: target-pid, targetPid" (its camelCase twin included, the dash
 * dropped): say instead what the user typed (`--target-pid`, `-d`), once each, and where the
 * verb's flags are listed.
 */
export function unknownArguments(message: string, argv: readonly string[]): string | undefined {
  const names = /^Unknown arguments?: (.+)$/.exec(message)?.[1]?.split(', ');
  if (!names) return undefined;
  const verb = argv.find((arg) => !arg.startsWith('-'));
  const known = verb !== undefined && verbNames.includes(verb);
  const flags: string[] = [];
  const words: string[] = [];
  for (const name of names) {
    const typed = argv.find((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`) || arg === `--no-${name}` || arg === `-${name}`);
    if (typed !== undefined) flags.push(typed.split('=')[0]!);
    else if (name.length === 1 && argv.some((arg) => /^-[a-zA-Z]+$/.test(arg) && arg.includes(name))) flags.push(`-${name}`);
    else if (argv.includes(name)) words.push(name);
  }
  if (!known && verb !== undefined && words.includes(verb)) return `${verb} is not a command: one of ${verbs} (see sockcap --help)`;
  const where = known ? verb : 'sockcap';
  const parts = [
    flags.length > 0 && `${where} has no ${unique(flags).join(', ')}`,
    words.length > 0 && `${where} takes no argument ${unique(words).join(', ')}`,
  ].filter((part): part is string => typeof part === 'string');
  return `${parts.length > 0 ? parts.join('; ') : message} (sockcap ${known ? `${verb} ` : ''}--help lists what it takes)`;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
