// WebSocket subscribe: one socket per client, opened once, on which the target pushes its
// events. It is a session with only `push`: a `websocket.session` may add `open` steps (auth,
// subscribe) run after the upgrade, and a `push` match that tells events from control
// messages. A connection that drops is opened again (a reconnect) after the `reconnect`
// backoff, and whatever was published meanwhile shows up as a gap in the sequence numbers. The
// upgrade's request and response heads are counted as header bytes: the request is every
// byte written on the socket before the 101 came back, the response is rebuilt from ws's
// parsed status line and raw headers.
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { TLSSocket } from 'node:tls';
import type WebSocket from 'ws';
import { now } from '../metrics/clock.js';
import { Reconnection } from '../metrics/reconnection.js';
import type { ReceiveTiming } from './receive-timing.js';
import { errorCode } from './error-code.js';
import { eventReader } from './event-json.js';
import { responseHeadBytes } from './poll.js';
import type { EventReceiver, ReceiverContext } from './receiver.js';
import { webSocketUrl } from './target-port.js';
import { reconnectDelay } from '../scenario/backoff.js';
import { rowOf } from './session/data-rows.js';
import { Incoming } from './session/match.js';
import { pushEvents } from './session/push.js';
import { SessionVars } from './session/vars.js';
import { compileSteps, StepRunner } from './session/ws-steps.js';
import { closeWebSocket, webSocketDialer } from './websocket-client.js';
import { wakeAt } from '../metrics/alarms.js';

export function createSubscribeReceiver(context: ReceiverContext): EventReceiver {
  const { scenario, target, recorder, sink, connection } = context;
  const settings = scenario.websocket;
  const url = webSocketUrl(new URL(target.origin), settings.subscribePath);
  const reader = eventReader(scenario.events);
  const { session } = settings;
  const vars = new SessionVars(connection, rowOf(scenario.data, connection));
  const dial = webSocketDialer(context, url, vars);
  const openSteps = compileSteps(session.open, recorder, false);
  const push = session.push ? pushEvents(session.push, sink, recorder) : undefined;
  const incoming = new Incoming();
  let runner: StepRunner | undefined;
  let closed = false;
  const reconnection = new Reconnection(recorder);
  let current: WebSocket | undefined;
  let timing: ReceiveTiming | undefined;
  /** Connections lost since the last event: the reconnect backoff's attempt. */
  let failures = 0;

  const again = (): void => {
    if (closed || !timing) return;
    failures++;
    wakeAt(Math.max(timing.nextAt(now(), false), now() + reconnectDelay(scenario.reconnect, failures - 1)), connect);
  };

  const received = (data: Buffer): void => {
    const receivedAt = now();
    recorder.count('messages');
    const message = incoming.reset(data);
    if (push?.first && push.matches(message, vars)) {
      failures = 0;
      return push.take(message, receivedAt);
    }
    if (runner?.offer(message)) return;
    if (push) {
      if (push.first) return recorder.count('messagesUnmatched');
      failures = 0;
      return push.take(message, receivedAt);
    }
    const { events, problem } = reader.message(message.text);
    if (problem) recorder.error(problem);
    if (events.length > 0) failures = 0;
    sink.received(events, receivedAt);
  };

  function connect(): void {
    if (closed) return;
    reconnection.attempt();
    const startedAt = performance.now();
    let tcp: Socket | TLSSocket | undefined;
    let established = false;
    let sessionFailed = false;
    const ws = dial((socket) => (tcp = socket));
    current = ws;
    ws.on('upgrade', (response) => {
      recorder.count('requests');
      recorder.count('headerBytes', (tcp?.bytesWritten ?? 0) + responseHeadBytes(101, response.statusMessage ?? '', response.rawHeaders));
    });
    ws.on('open', () => {
      established = true;
      reconnection.opened();
      recorder.record('handshake', (performance.now() - startedAt) * 1000);
      if (openSteps.length === 0) return;
      const steps = new StepRunner(vars, recorder, (data, binary) => ws.send(data, { binary }));
      runner = steps;
      steps.run(openSteps, false, (error) => {
        runner = undefined;
        if (!error) return recorder.count('sessionsOpened');
        // The session failed: count it by its step, and come back after the backoff.
        recorder.error(error);
        sessionFailed = true;
        ws.terminate();
      });
    });
    ws.on('message', received);
    ws.on('unexpected-response', (_request, response) => {
      recorder.count('connectionsFailed');
      recorder.error(`ws_http_${response.statusCode ?? 0}`);
      ws.terminate();
    });
    ws.on('error', (error) => {
      if (closed) return;
      if (!established) recorder.count('connectionsFailed');
      recorder.error(errorCode(error));
    });
    ws.on('close', (code) => {
      if (current === ws) current = undefined;
      if (closed) return;
      if (established) reconnection.lost();
      if (runner) {
        runner.abort(`ws_close_${code}`);
      } else if (established && !sessionFailed) recorder.error(`ws_close_${code}`);
      again();
    });
  }

  return {
    start(given) {
      timing = given;
      wakeAt(given.firstAt, connect);
    },
    close() {
      closed = true;
      runner?.stop();
      return closeWebSocket(current);
    },
  };
}
