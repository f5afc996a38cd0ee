#!/usr/bin/env node
// The only place that calls process.exit, and the one error boundary of the CLI: a user's
// mistake or a target that could not be used is one line and its exit code; anything else is
// a bug in sockcap and says so, with its stack and where the files measured so far are.
import { main } from './cli/main.js';
import { ExitCode, InternalError, RunBrokenError, SockcapError } from './errors.js';

function stackOf(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

function handleError(error: unknown): void {
  if (error instanceof SockcapError) {
    process.stderr.write(`sockcap: ${error.message}\n`);
    if (error instanceof RunBrokenError && error.resultsDir) process.stderr.write(`sockcap: what was measured until then is in ${error.resultsDir}\n`);
    process.exit(error.exitCode);
  }
  const bug = error instanceof InternalError ? error.cause : error;
  process.stderr.write(`sockcap: this is a bug in sockcap, please report it with the lines below\n${stackOf(bug)}\n`);
  if (error instanceof InternalError && error.resultsDir) process.stderr.write(`sockcap: what was measured until then is in ${error.resultsDir}\n`);
  process.exit(ExitCode.runBroken);
}

main()
  .then(() => process.exit(process.exitCode ?? ExitCode.ok))
  .catch(handleError);
