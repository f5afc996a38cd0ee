// How long a step that is stopped by a signal may still wait: for its workers to finish
// their connections and send their last snapshots, and for the built-in target to report its
// final counts and exit. The first signal leaves `stopBudgetMs` for all of that together, so
// the run ends within 2 s with its files written; a second one ends every wait at once
// (threads ended, target killed). Neither skips writing the files.
import { now } from '../metrics/clock.js';

/** What the waits after a first signal may take together; the files are written after it. */
export const stopBudgetMs = 600;

export class StopBudget {
  private deadline = Number.POSITIVE_INFINITY;
  private hurried = false;
  /** Settles at each signal, so a wait in progress looks at its deadline again. */
  private changed: Promise<void>;
  private wake: () => void = () => {};
  /** Takes the listeners off the run's signals: each step makes a budget, and a run of many steps would pile them up. */
  readonly dispose: () => void;

  constructor(stop: AbortSignal, hurry: AbortSignal | undefined) {
    this.changed = this.nextChange();
    const onStop = (): void => {
      this.deadline = Math.min(this.deadline, now() + stopBudgetMs);
      this.wake();
    };
    const onHurry = (): void => {
      this.hurried = true;
      this.deadline = now();
      this.wake();
    };
    if (stop.aborted) onStop();
    else stop.addEventListener('abort', onStop, { once: true });
    if (hurry?.aborted) onHurry();
    else hurry?.addEventListener('abort', onHurry, { once: true });
    this.dispose = () => {
      stop.removeEventListener('abort', onStop);
      hurry?.removeEventListener('abort', onHurry);
    };
  }

  private nextChange(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.wake = () => {
        this.changed = this.nextChange();
        resolve();
      };
    });
  }

  /** `usualMs`, or less when a signal has left less. */
  remaining(usualMs: number): number {
    return Math.max(0, Math.min(usualMs, this.deadline - now()));
  }

  /**
   * Waits for `done` for at most `usualMs`, less once a signal came (also one that comes
   * during the wait), but `floorMs` even after a first signal; true when `done` settled in time.
   */
  async wait(done: Promise<unknown>, usualMs: number, floorMs = 0): Promise<boolean> {
    const start = now();
    let settled = false;
    const watched = done.then(
      () => (settled = true),
      () => (settled = true),
    );
    while (!settled) {
      const floor = this.hurried ? 0 : start + floorMs;
      const left = Math.max(Math.min(start + usualMs, this.deadline), floor) - now();
      if (left <= 0) return false;
      let timer: NodeJS.Timeout | undefined;
      const timeout = Number.isFinite(left) ? new Promise((resolve) => (timer = setTimeout(resolve, left))) : new Promise(() => {});
      await Promise.race([watched, this.changed, timeout]);
      clearTimeout(timer);
    }
    return true;
  }
}
