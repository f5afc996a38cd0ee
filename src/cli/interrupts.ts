// Ctrl-C and SIGTERM during a run: the first stops it the orderly way (every file written
// with what was measured so far). A second one never skips that writing: leaving before the
// files are finished would lose a measured step, so it only says what is still happening.

/** Aborts `controller` on the first signal; returns the function that stops listening. */
export function abortOnInterrupt(controller: AbortController): () => void {
  const onSignal = (): void => {
    if (controller.signal.aborted) {
      process.stderr.write('sockcap: already stopping: writing the files of what was measured\n');
      return;
    }
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}
