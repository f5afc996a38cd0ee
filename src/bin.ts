#!/usr/bin/env node
// The only place that calls process.exit: typed errors become one line and their exit
// code; anything else is a bug in sockcap and keeps its stack.
import { main } from './cli/main.js';
import { ExitCode, SockcapError } from './errors.js';

function handleError(error: unknown): void {
  if (error instanceof SockcapError) {
    process.stderr.write(`sockcap: ${error.message}\n`);
    process.exit(error.exitCode);
  }
  process.stderr.write(`sockcap: internal error (please report it): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(ExitCode.runBroken);
}

main()
  .then(() => process.exit(process.exitCode ?? ExitCode.ok))
  .catch(handleError);
