// A scripted HTTP session on one connection (one keep-alive socket, or one HTTP/2 connection
// whose requests go one after another as streams, by `http.version`: session-transport.ts):
// `open` requests once (a login whose answer captures a token), then the `loop` requests at
// each send of the workload. Method, path, headers and body come from templates compiled
// once; each answer is checked (status, headers, JSON fields) and may capture variables for
// later templates. A loop request's time is `reply` (and `reply:<name>` when named).
import type { HistogramBins } from '../metrics/histogram-bins.js';
import { now } from '../metrics/clock.js';
import type { Recorder } from '../metrics/recorder.js';
import { reconnectDelay } from '../scenario/backoff.js';
import type { HttpStep } from '../scenario/session-types.js';
import type { ConnectionDriver, DriverContext, SendDone } from './driver.js';
import { fieldAt } from './event-json.js';
import { rowOf } from './session/data-rows.js';
import { compileJsonMatch, Incoming, type Match } from './session/match.js';
import { compileJson, compileText, type Text } from './session/template.js';
import { SessionVars } from './session/vars.js';
import { sessionTransport, type SessionAnswer } from './session-transport.js';

interface CompiledRequest {
  kind: 'request';
  method: string;
  path: Text;
  headers: (readonly [string, Text])[];
  body: Text | undefined;
  status: readonly number[];
  headerChecks: (readonly [string, RegExp])[];
  match: Match | undefined;
  captures: (readonly [string, string[] | { header: string }])[];
  mismatchCode: string;
  /** `reply:<name>` for a named loop step, and the name its failures are counted under. */
  named: { bins: HistogramBins; name: string } | undefined;
}

type CompiledStep = CompiledRequest | { kind: 'pause'; ms: number };

function compile(steps: readonly HttpStep[], recorder: Recorder, loop: boolean): CompiledStep[] {
  return steps.map((step): CompiledStep => {
    if (step.kind === 'pause') return { kind: 'pause', ms: step.duration };
    const json = step.json === undefined ? undefined : compileJson(step.json);
    const headers = Object.entries(step.headers).map(([name, text]) => [name, compileText(text)] as const);
    if (json && !Object.keys(step.headers).some((name) => name.toLowerCase() === 'content-type')) {
      headers.push(['content-type', () => 'application/json']);
    }
    return {
      kind: 'request',
      method: step.method,
      path: compileText(step.path),
      headers,
      body: json ? (vars) => json.render(vars) : step.body === undefined ? undefined : compileText(step.body),
      status: step.expect.status,
      headerChecks: Object.entries(step.expect.headers).map(([name, pattern]) => [name, new RegExp(pattern)] as const),
      match: step.expect.match === undefined ? undefined : compileJsonMatch(step.expect.match),
      captures: Object.entries(step.capture).map(
        ([name, source]) => [name, source.startsWith('header:') ? { header: source.slice(7).toLowerCase() } : source.split('.')] as const,
      ),
      mismatchCode: `session_mismatch:${step.name}`,
      named: loop && step.named ? { bins: recorder.histogram(`reply:${step.name}`), name: step.name } : undefined,
    };
  });
}

export function createHttpSessionDriver(context: DriverContext): ConnectionDriver {
  const { scenario, recorder, connection } = context;
  const vars = new SessionVars(connection, rowOf(scenario.data, connection));
  const openSteps = compile(scenario.http.session.open, recorder, false);
  const loopSteps = compile(scenario.http.session.loop, recorder, true);
  const reply = recorder.histogram('reply');
  const transport = sessionTransport(context);
  let ready = false;
  let closing = false;
  let failures = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  let waiting: SendDone | undefined;
  const incoming = new Incoming();

  /** Whether an answer passes every check of `step`: null when it does, else the error code; captures what it says to. */
  function check(step: CompiledRequest, response: SessionAnswer, sentAt: number, recordReply: boolean): string | null {
    const { status } = response;
    if (step.status.length > 0 ? !step.status.includes(status) : status >= 400) return status >= 400 ? `http_${status}` : step.mismatchCode;
    for (const [name, pattern] of step.headerChecks) {
      const value = response.headers[name];
      if (!pattern.test(Array.isArray(value) ? value.join(', ') : (value ?? ''))) return step.mismatchCode;
    }
    const message = incoming.reset(response.body);
    if (step.match && !step.match(message, vars)) return step.mismatchCode;
    for (const [name, source] of step.captures) {
      if (Array.isArray(source)) vars.captures.set(name, fieldAt(message.json, source));
      else vars.captures.set(name, response.headers[source.header]);
    }
    if (recordReply) {
      const micros = (now() - sentAt) * 1000;
      reply.record(micros);
      step.named?.bins.record(micros);
    }
    return null;
  }

  /** Runs `steps`; `answered` is how many of its requests got a response (a wrong one too). */
  async function run(steps: readonly CompiledStep[], loop: boolean): Promise<{ error: string | null; answered: number }> {
    let answered = 0;
    for (const step of steps) {
      if (closing) break;
      if (step.kind === 'pause') {
        await new Promise((resolve) => setTimeout(resolve, step.ms));
        continue;
      }
      const headers: Record<string, string> = {};
      for (const [name, render] of step.headers) headers[name] = render(vars);
      vars.seq++;
      const sentAt = now();
      const response = await transport.request({ method: step.method, path: step.path(vars), headers, body: step.body?.(vars) });
      // A wrong answer is still an answer (a request the server served); no answer is not.
      if (typeof response !== 'string') answered++;
      const error = typeof response === 'string' ? response : check(step, response, sentAt, loop);
      if (error === null) continue;
      // A request cut short by the end of the step is not the service's failure.
      if (step.named && !closing) recorder.stepFailed(step.named.name);
      return { error, answered };
    }
    return { error: null, answered };
  }

  function open(done: (error: string | null) => void): void {
    void run(openSteps, false).then(({ error, answered }) => {
      recorder.count('requests', answered);
      if (error) {
        failures++;
        // A failed login leaves nothing to use: the next send starts over on a new socket.
        transport.drop();
        return done(error);
      }
      ready = true;
      recorder.count('sessionsOpened');
      done(null);
    });
  }

  function loop(done: SendDone): void {
    void run(loopSteps, true).then(({ error, answered }) => {
      if (error === null) failures = 0;
      // Every answered request counts; a loop that succeeds is the workload's answer, which
      // counts its last request (and times the whole loop as `latency`).
      recorder.count('requests', error === null ? answered - 1 : answered);
      done(error, error === null);
    });
  }

  return {
    open,
    establish: (done) => open((error) => done(error, error === null)),
    drop() {
      transport.drop();
      ready = false;
    },
    send(done) {
      if (ready) return loop(done);
      waiting = done;
      retryTimer = setTimeout(
        () => {
          retryTimer = undefined;
          const next = waiting;
          waiting = undefined;
          if (!next || closing) return;
          open((error) => (error ? next(error, false) : loop(next)));
        },
        failures > 0 ? reconnectDelay(scenario.reconnect, failures - 1) : 0,
      );
    },
    async close() {
      closing = true;
      clearTimeout(retryTimer);
      const next = waiting;
      waiting = undefined;
      next?.(null, false);
      await transport.close();
    },
  };
}
