// A WebSocket session's steps, compiled once per connection, and the runner that walks them:
// `send` writes a rendered message, `pause` waits, `expect` waits for the message it
// recognises (the reply whose field equals the one just sent, with `reply`). One runner per
// connection runs the `open` steps once and the `loop` steps at each send of the workload.
import type { HistogramBins } from '../../metrics/histogram-bins.js';
import type { WebSocketStep } from '../../scenario/session-types.js';
import { now } from '../../metrics/clock.js';
import type { Recorder } from '../../metrics/recorder.js';
import { fieldAt } from '../event-json.js';
import { compileJsonMatch, compileRegexMatch, fieldPath, same, type FieldPath, type Incoming, type Match } from './match.js';
import { compileJson, compileText } from './template.js';
import type { SessionVars } from './vars.js';

interface CompiledSend {
  kind: 'send';
  /**
   * The message as one Buffer, text frames too: ws masks a Buffer straight into the frame
   * it writes, one write() per message, where a string costs a conversion and a writev of
   * header and payload (about twice the syscall's CPU, measured).
   */
  render: (vars: SessionVars) => Buffer;
  binary: boolean;
  /** The value the last render put at a field, for expects that correlate on it. */
  sentAt(path: string): () => unknown;
}

interface CompiledExpect {
  kind: 'expect';
  match: Match | undefined;
  reply: { path: FieldPath; sent: () => unknown } | undefined;
  timeout: number;
  captures: [string, string[]][];
  timeoutCode: string;
  mismatchCode: string;
  /** `reply:<name>` for a named loop step, and the name its failures are counted under; undefined otherwise. */
  named: { bins: HistogramBins; name: string } | undefined;
}

interface CompiledPause {
  kind: 'pause';
  ms: number;
}

export type CompiledStep = CompiledSend | CompiledExpect | CompiledPause;

const nothingSent = (): undefined => undefined;

function compileSend(step: Extract<WebSocketStep, { kind: 'send' }>): CompiledSend {
  const { payload } = step;
  if (payload.type === 'json') {
    const message = compileJson(payload.json);
    return { kind: 'send', render: (vars) => Buffer.from(message.render(vars)), binary: false, sentAt: (path) => message.sentAt(path) };
  }
  if (payload.type === 'text') {
    const text = compileText(payload.text);
    return { kind: 'send', render: (vars) => Buffer.from(text(vars)), binary: false, sentAt: () => nothingSent };
  }
  // ws never writes into a buffer it is given, so every send shares one.
  const bytes = Buffer.from(payload.base64, 'base64');
  return { kind: 'send', render: () => bytes, binary: true, sentAt: () => nothingSent };
}

/** `recordReplies`: loop steps, whose expects record `reply` (and `reply:<name>` when named). */
export function compileSteps(steps: readonly WebSocketStep[], recorder: Recorder, recordReplies: boolean): CompiledStep[] {
  let lastSend: CompiledSend | undefined;
  return steps.map((step): CompiledStep => {
    if (step.kind === 'pause') return { kind: 'pause', ms: step.duration };
    if (step.kind === 'send') return (lastSend = compileSend(step));
    const match = step.match !== undefined ? compileJsonMatch(step.match) : step.regex !== undefined ? compileRegexMatch(step.regex) : undefined;
    return {
      kind: 'expect',
      match,
      reply: step.reply === undefined ? undefined : { path: fieldPath(step.reply), sent: lastSend ? lastSend.sentAt(step.reply) : nothingSent },
      timeout: step.timeout,
      captures: Object.entries(step.capture).map(([name, path]) => [name, path.split('.')]),
      timeoutCode: `session_expect_timeout:${step.name}`,
      mismatchCode: `session_mismatch:${step.name}`,
      named: recordReplies && step.named ? { bins: recorder.histogram(`reply:${step.name}`), name: step.name } : undefined,
    };
  });
}

/** `at`: when the run ended (epoch ms), when the runner read the clock then anyway. */
export type RunDone = (error: string | null, at?: number) => void;

/** Walks one list of steps at a time for one connection. */
export class StepRunner {
  private steps: CompiledStep[] = [];
  private pc = 0;
  private done: RunDone | undefined;
  private recordReplies = false;
  private waiting: CompiledExpect | undefined;
  private sentAt = 0;
  private deadline = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = 0;
  private pauseTimer: NodeJS.Timeout | undefined;
  private readonly reply: HistogramBins;

  constructor(
    private readonly vars: SessionVars,
    private readonly recorder: Recorder,
    private readonly write: (data: Buffer, binary: boolean) => void,
  ) {
    this.reply = recorder.histogram('reply');
  }

  get running(): boolean {
    return this.done !== undefined;
  }

  get expecting(): boolean {
    return this.waiting !== undefined;
  }

  run(steps: CompiledStep[], recordReplies: boolean, done: RunDone): void {
    this.steps = steps;
    this.recordReplies = recordReplies;
    this.pc = 0;
    this.done = done;
    this.advance();
  }

  /** Ends the current run with `error` (the connection closed or failed); no-op when idle. */
  abort(error: string): void {
    if (this.done) this.finish(error);
  }

  /** Stops without a word: the step is over. */
  stop(): void {
    this.done = undefined;
    this.waiting = undefined;
    clearTimeout(this.pauseTimer);
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Offers a message to the waiting expect; false when it is not the one expected (unrelated). */
  offer(message: Incoming): boolean {
    const expect = this.waiting;
    if (!expect) return false;
    if (expect.reply) {
      const field = message.field(expect.reply.path);
      if (field === undefined || !same(field, expect.reply.sent())) return false;
    }
    if (expect.match && !expect.match(message, this.vars)) {
      this.finish(expect.mismatchCode);
      return true;
    }
    const at = now();
    if (this.recordReplies) {
      const micros = (at - this.sentAt) * 1000;
      this.reply.record(micros);
      expect.named?.bins.record(micros);
    }
    if (expect.captures.length > 0) {
      const json = message.json;
      for (const [name, path] of expect.captures) this.vars.captures.set(name, json === undefined ? undefined : fieldAt(json, path));
    }
    this.waiting = undefined;
    this.pc++;
    this.advance(at);
    return true;
  }

  /** `at`: the clock as last read (epoch ms), 0 when it was not; one read per step is enough. */
  private advance(at = 0): void {
    const { steps, vars } = this;
    while (this.pc < steps.length) {
      const step = steps[this.pc]!;
      if (step.kind === 'send') {
        vars.seq++;
        this.write(step.render(vars), step.binary);
        this.sentAt = at = now();
        this.pc++;
      } else if (step.kind === 'pause') {
        this.pc++;
        this.pauseTimer = setTimeout(this.resume, step.ms);
        return;
      } else {
        this.waiting = step;
        this.arm(step.timeout, at || now());
        return;
      }
    }
    this.finish(null, at || undefined);
  }

  private readonly resume = (): void => {
    if (this.done) this.advance();
  };

  // One timer per connection, re-armed lazily: a reply that comes in time leaves it running,
  // and when it fires it only looks whether the expect now waiting is overdue.
  private arm(timeout: number, at: number): void {
    this.deadline = at + timeout;
    if (this.timer && this.timerAt <= this.deadline) return;
    clearTimeout(this.timer);
    this.timerAt = this.deadline;
    this.timer = setTimeout(this.expire, timeout);
  }

  private readonly expire = (): void => {
    this.timer = undefined;
    const expect = this.waiting;
    if (!expect) return;
    const left = this.deadline - now();
    if (left > 0) {
      this.timerAt = this.deadline;
      this.timer = setTimeout(this.expire, left);
      return;
    }
    this.finish(expect.timeoutCode);
  };

  private finish(error: string | null, at?: number): void {
    const named = this.waiting?.named;
    if (error !== null && named) this.recorder.stepFailed(named.name);
    this.waiting = undefined;
    clearTimeout(this.pauseTimer);
    const done = this.done;
    this.done = undefined;
    done?.(error, at);
  }
}
