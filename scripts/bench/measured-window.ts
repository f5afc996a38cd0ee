// The measured part of a bench client's run, for the clients that measure themselves (the bare
// and raw HTTP/2 loops): a warm-up, then process.cpuUsage() and the clock read around the window.
// `resetCount` is called as the window opens, so only what completes inside it is counted.

export interface MeasuredWindow {
  durationS: number;
  cpuMs: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function measureWindow(input: { warmupMs: number; durationMs: number }, resetCount: () => void): Promise<MeasuredWindow> {
  await sleep(input.warmupMs);
  resetCount();
  const before = process.cpuUsage();
  const startedAt = performance.now();
  await sleep(input.durationMs);
  const used = process.cpuUsage(before);
  return { durationS: (performance.now() - startedAt) / 1000, cpuMs: (used.user + used.system) / 1000 };
}
