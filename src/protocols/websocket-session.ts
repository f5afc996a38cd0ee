// A scripted WebSocket session on one connection: the upgrade carries the scenario's headers
// and subprotocols, `open` steps run once after it (auth, subscribe), and each send of the
// workload runs the `loop` steps (a request and its correlated reply). Messages the session
// does not expect are events when they match `push`, else counted as unmatched. A connection
// whose session failed comes back only after the `reconnect` backoff (with jitter): a
// service that refuses its clients must not be stormed by them.
import { performance } from 'node:perf_hooks';
import type WebSocket from 'ws';
import { now } from '../metrics/clock.js';
import { Reconnection } from '../metrics/reconnection.js';
import { reconnectDelay } from '../scenario/backoff.js';
import type { ConnectionDriver, DriverContext, SendDone } from './driver.js';
import { errorCode } from './error-code.js';
import { rowOf } from './session/data-rows.js';
import { Incoming } from './session/match.js';
import { pushEvents } from './session/push.js';
import { SessionVars } from './session/vars.js';
import { compileSteps, StepRunner } from './session/ws-steps.js';
import { webSocketUrl } from './target-port.js';
import { closeWebSocket, webSocketDialer } from './websocket-client.js';

const textFrame = { binary: false };
const binaryFrame = { binary: true };

export function createWebSocketSessionDriver(context: DriverContext): ConnectionDriver {
  const { scenario, target, recorder, onClosed, connection, sink } = context;
  const settings = scenario.websocket;
  const url = webSocketUrl(target, settings.path);
  const vars = new SessionVars(connection, rowOf(scenario.data, connection));
  const openSteps = compileSteps(settings.session.open, recorder, false);
  const loopSteps = compileSteps(settings.session.loop, recorder, true);
  const push = settings.session.push && sink ? pushEvents(settings.session.push, sink, recorder) : undefined;
  const dial = webSocketDialer(context, url, vars);

  let socket: WebSocket | undefined;
  let ready = false;
  /** A ready session that closed is brought back when another gets through its open steps (under a holding workload, connection-control.ts counts it). */
  const reconnection = new Reconnection(recorder);
  let closing = false;
  let dropping: WebSocket | undefined;
  /** Sessions that failed since the last good loop: the reconnect backoff's attempt. */
  let failures = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  let waitingSend: SendDone | undefined;
  let loopDone: SendDone | undefined;

  const write = (data: Buffer, binary: boolean): void => {
    socket?.send(data, binary ? binaryFrame : textFrame);
  };
  const runner = new StepRunner(vars, recorder, write);
  const incoming = new Incoming();

  const onMessage = (data: Buffer): void => {
    const message = incoming.reset(data);
    if (push?.first && push.matches(message, vars)) return push.take(message, now());
    if (runner.offer(message)) return;
    if (push && !push.first) return push.take(message, now());
    recorder.count('messagesUnmatched');
  };

  function open(done: (error: string | null) => void): void {
    const startedAt = performance.now();
    let settled = false;
    const settle = (error: string | null): void => {
      if (settled) return;
      settled = true;
      if (error) failures++;
      done(error);
    };
    const ws = dial();
    socket = ws;
    let upgraded = false;
    ws.on('open', () => {
      upgraded = true;
      recorder.record('handshake', (performance.now() - startedAt) * 1000);
      runner.run(openSteps, false, (error) => {
        if (error) {
          // The session failed: this connection is of no use until it starts again.
          ws.close(1000);
          socket = undefined;
          return settle(error);
        }
        ready = true;
        recorder.count('sessionsOpened');
        settle(null);
      });
    });
    ws.on('message', onMessage);
    ws.on('unexpected-response', (_request, response) => {
      recorder.count('connectionsFailed');
      settle(`ws_http_${response.statusCode ?? 0}`);
      ws.terminate();
    });
    ws.on('error', (error) => {
      if (closing || dropping === ws) return;
      const code = errorCode(error);
      if (!upgraded) recorder.count('connectionsFailed');
      runner.abort(code);
      settle(code);
    });
    ws.on('close', (code) => {
      if (socket === ws) socket = undefined;
      const wasReady = ready;
      ready = false;
      if (closing || dropping === ws) return;
      if (wasReady) reconnection.lost();
      const reason = `ws_close_${code}`;
      if (runner.running) runner.abort(reason);
      else if (wasReady) {
        // Closed between two loops: nothing waited, but the session is lost all the same.
        failures++;
        recorder.error(reason);
      }
      settle(reason);
      if (wasReady) onClosed(connection, reason);
    });
  }

  const finishLoop = (error: string | null, at?: number): void => {
    if (error === null) failures = 0;
    const done = loopDone;
    loopDone = undefined;
    done?.(error, error === null, at);
  };

  function runLoop(done: SendDone): void {
    loopDone = done;
    runner.run(loopSteps, true, finishLoop);
  }

  return {
    open,
    establish: (done) => open((error) => done(error, error === null)),
    drop() {
      const ws = socket;
      if (!ws) return;
      dropping = ws;
      socket = undefined;
      ready = false;
      runner.stop();
      ws.terminate();
    },
    send(done) {
      if (ready && socket !== undefined && socket.readyState === socket.OPEN) return runLoop(done);
      // The session is gone (never opened, failed, or closed by the target): open a new one
      // after the backoff its failures call for.
      waitingSend = done;
      const delay = failures > 0 ? reconnectDelay(scenario.reconnect, failures - 1) : 0;
      retryTimer = setTimeout(() => {
        retryTimer = undefined;
        const waiting = waitingSend;
        waitingSend = undefined;
        if (!waiting || closing) return;
        reconnection.attempt();
        open((error) => {
          if (error) return waiting(error, false);
          reconnection.opened();
          runLoop(waiting);
        });
      }, delay);
    },
    close() {
      closing = true;
      clearTimeout(retryTimer);
      runner.stop();
      // A send that waited for its reconnect, or for a reply, at the end of the step is neither answered nor failed.
      const waiting = waitingSend ?? loopDone;
      waitingSend = undefined;
      loopDone = undefined;
      waiting?.(null, false);
      return closeWebSocket(socket);
    },
  };
}
