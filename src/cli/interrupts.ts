// Ctrl-C and SIGTERM during a run: the first stops it the orderly way (every file written
// with what was measured so far); a second one means now.
import { ExitCode } from '../errors.js';

/** Aborts `controller` on the first signal; returns the function that stops listening. */
export function abortOnInterrupt(controller: AbortController): () => void {
  let interrupts = 0;
  const onSignal = (): void => {
    interrupts++;
    // Files are written as the run goes, so leaving at once loses nothing already measured.
    if (interrupts > 1) process.exit(ExitCode.runBroken);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}
