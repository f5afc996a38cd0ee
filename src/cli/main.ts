// The command line: one module per verb, parsed by yargs into typed options.
import yargs, { type CommandModule } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { UsageError } from '../errors.js';
import { version } from '../version.js';
import { compareCommand } from './compare.js';
import { probeCommand } from './probe.js';
import { reportCommand } from './report.js';
import { mergeCommand } from './merge.js';
import { runCommand } from './run.js';
import { schemaCommand } from './schema.js';
import { serveCommand } from './serve.js';
import { sweepCommand } from './sweep.js';

const commands = [runCommand, mergeCommand, serveCommand, compareCommand, reportCommand, sweepCommand, probeCommand, schemaCommand];

/** `run, serve, …`: every verb, from the command modules themselves, so none is left out. */
const verbs = commands.map((command) => String(command.command).split(' ')[0]).join(', ');

export async function main(argv: string[] = hideBin(process.argv)): Promise<void> {
  let parser = yargs(argv).scriptName('sockcap');
  for (const command of commands) parser = parser.command(command as CommandModule);
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
      throw new UsageError(`${message} (see sockcap --help)`);
    })
    .parseAsync();
}
