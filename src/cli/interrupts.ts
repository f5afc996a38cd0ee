// Ctrl-C and SIGTERM during a run: the first stops it the orderly way (every file written
// with what was measured so far, within 2 s). A second one hurries that finish: every wait
// for workers and the target ends at once, but the files are still written; leaving before
// they are would lose a measured step.

/** Aborts `stop` on the first signal and `hurry` on the next ones; returns the function that stops listening. */
export function abortOnInterrupt(stop: AbortController, hurry?: AbortController): () => void {
  const onSignal = (): void => {
    if (!stop.signal.aborted) {
      stop.abort();
      return;
    }
    hurry?.abort();
    process.stderr.write('sockcap: stopping now: no more waiting for workers or the target, writing the files of what was measured\n');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}
