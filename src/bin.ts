#!/usr/bin/env node
// The only place that calls process.exit, and the one error boundary of the CLI: a user's
// mistake or a target that could not be used is one line and its exit code; anything else is
// a bug in sockcap and says so, with its stack and where the files measured so far are.
import { ExitCode, InternalError, RunBrokenError, SockcapError } from './errors.js';

// A signal before a command listens for it itself (while sockcap loads or reads the
// scenario): no run has started and no child process exists, so sockcap ends at once and
// says so. Once a command has its own listener (a run's orderly stop), that one decides.
function stopEarly(signal: NodeJS.Signals): void {
  if (process.listenerCount(signal) > 1) return;
  process.stderr.write(`sockcap: stopped by ${signal}: no run was going on, so nothing was measured and no process is left\n`);
  process.exit(ExitCode.runBroken);
}
process.on('SIGINT', stopEarly);
process.on('SIGTERM', stopEarly);
// Loaded after the listeners are in place: loading takes a while on a busy machine.
const { main } = await import('./cli/main.js');

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
