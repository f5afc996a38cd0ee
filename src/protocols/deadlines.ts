// Timeouts of many connections from one timer. Every deadline in a queue is "now + the same
// timeout", so deadlines come due in the order they were added: a FIFO with one timer set
// for its head, O(1) per deadline, instead of a Timeout object (and a bound callback) per
// connection. A deadline that no longer matters (the handshake finished, the pong came) is
// left in the queue: when it comes due, `expired` is asked and answers that it has passed.
import { performance } from 'node:perf_hooks';

export class DeadlineQueue<T> {
  private items: T[] = [];
  private tokens: number[] = [];
  private dueAt: number[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;

  /**
   * `expired(item, token)` is called once per deadline when it comes due, with the token it
   * was added with, so the owner can tell whether it still waits for that same thing.
   */
  constructor(
    private readonly timeoutMs: number,
    private readonly expired: (item: T, token: number) => void,
  ) {}

  add(item: T, token: number): void {
    this.items.push(item);
    this.tokens.push(token);
    this.dueAt.push(performance.now() + this.timeoutMs);
    if (!this.timer) this.arm();
  }

  private arm(): void {
    const wait = Math.max(0, this.dueAt[this.head]! - performance.now());
    this.timer = setTimeout(() => this.fire(), wait);
    // A deadline alone never keeps a thread alive: the connection it watches does.
    this.timer.unref();
  }

  private fire(): void {
    this.timer = undefined;
    const current = performance.now();
    while (this.head < this.items.length && this.dueAt[this.head]! <= current) {
      const item = this.items[this.head]!;
      const token = this.tokens[this.head]!;
      this.items[this.head] = undefined as T;
      this.head++;
      this.expired(item, token);
    }
    if (this.head === this.items.length) {
      this.items = [];
      this.tokens = [];
      this.dueAt = [];
      this.head = 0;
      return;
    }
    // Drop what has been handed out once it is most of the arrays.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.tokens = this.tokens.slice(this.head);
      this.dueAt = this.dueAt.slice(this.head);
      this.head = 0;
    }
    this.arm();
  }
}
