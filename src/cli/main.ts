// The command line: one module per verb, parsed by yargs into typed options.
import yargs from 'yargs';
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

export async function main(argv: string[] = hideBin(process.argv)): Promise<void> {
  await yargs(argv)
    .scriptName('sockcap')
    .command(runCommand)
    .command(mergeCommand)
    .command(serveCommand)
    .command(compareCommand)
    .command(reportCommand)
    .command(sweepCommand)
    .command(probeCommand)
    .command(schemaCommand)
    .demandCommand(1, 'name a command: sockcap run, sockcap serve (see sockcap --help)')
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
