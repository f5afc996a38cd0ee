// Event-loop delay of this worker thread, recorded as the `loop_delay` metric: how late a
// 20 ms timer fires. A generator whose loop runs late sends late and reads late, so this
// is the first sign that its numbers describe itself rather than the target.
import type { Recorder } from '../metrics/recorder.js';
import { now } from '../metrics/clock.js';

const periodMs = 20;

export function watchLoopDelay(recorder: Recorder): () => void {
  let expected = now() + periodMs;
  const timer = setInterval(() => {
    const current = now();
    recorder.record('loop_delay', Math.max(0, current - expected) * 1000);
    expected = current + periodMs;
  }, periodMs);
  timer.unref();
  return () => clearInterval(timer);
}
