// Feeds every output of a run. An output that throws is reported at once and the others, and
// the run, go on: a failed report must not cost the CSV files or the measurement. A file
// system error (disk full, folder removed) is said in one line; anything else is a bug in
// that output and keeps its stack. The run then ends broken, naming what failed, so a run
// whose files are incomplete never passes.
import type { Output } from '../results/run-result.js';

export interface OutputFailure {
  output: string;
  method: keyof Output;
  error: unknown;
}

export interface FanOut extends Required<Output> {
  /** The first failure of each output, in the order they happened. */
  failures(): OutputFailure[];
}

function isFileSystemError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' && typeof (error as NodeJS.ErrnoException).syscall === 'string';
}

/** One line for the console and run.json. */
export function describeFailure(failure: OutputFailure): string {
  const { output, method, error } = failure;
  if (isFileSystemError(error)) return `${output} could not write (${error.code}: ${error.message})`;
  return `${output} failed in ${method} (a bug in sockcap: ${error instanceof Error ? error.message : String(error)})`;
}

export function fanOut(outputs: readonly Output[], report: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): FanOut {
  const failed = new Map<Output, OutputFailure>();
  const call = <K extends keyof Output>(method: K, ...args: Parameters<Required<Output>[K]>): void => {
    for (const output of outputs) {
      const fn = output[method] as ((...a: Parameters<Required<Output>[K]>) => void) | undefined;
      try {
        fn?.apply(output, args);
      } catch (error) {
        if (failed.has(output)) continue;
        const failure: OutputFailure = { output: output.constructor.name, method, error };
        failed.set(output, failure);
        const stack = !isFileSystemError(error) && error instanceof Error && error.stack ? `\n${error.stack}` : '';
        report(`sockcap: ${describeFailure(failure)}; the other outputs and the run go on${stack}`);
      }
    }
  };
  return {
    runStarted: (run) => call('runStarted', run),
    stepStarted: (step, plan, targetClock) => call('stepStarted', step, plan, targetClock),
    interval: (row) => call('interval', row),
    stepFinished: (result) => call('stepFinished', result),
    runFinished: (run) => call('runFinished', run),
    warning: (message) => call('warning', message),
    failures: () => [...failed.values()],
  };
}
