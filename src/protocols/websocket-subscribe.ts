// WebSocket subscribe: one socket per client, opened once, on which the target pushes its
// events. It is a session with only `push`: a `websocket.session` may add `open` steps (auth,
// subscribe) run after the upgrade, and a `push` match that tells events from control
// messages. A connection that drops is opened again (a reconnect) after the `reconnect`
// backoff, and whatever was published meanwhile shows up as a gap in the sequence numbers. The
// upgrade's request and response heads are counted as header bytes: the request is every
// byte written on the socket before the 101 came back, the response is rebuilt from ws's
// parsed status line and raw headers.
import type { connect as netConnect, Socket, TcpNetConnectOpts } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { TLSSocket } from 'node:tls';
import WebSocket from 'ws';
import { now } from '../metrics/clock.js';
import type { ReceiveTiming } from './receive-timing.js';
import { errorCode } from './error-code.js';
import { eventReader } from './event-json.js';
import { responseHeadBytes } from './poll.js';
import type { EventReceiver, ReceiverContext } from './receiver.js';
import { socketOpener } from './socket-opener.js';
import { webSocketUrl } from './target-port.js';
import { reconnectDelay } from '../scenario/backoff.js';
import { rowOf } from './session/data-rows.js';
import { Incoming } from './session/match.js';
import { pushEvents } from './session/push.js';
import { compileText } from './session/template.js';
import { SessionVars } from './session/vars.js';
import { compileSteps, StepRunner } from './session/ws-steps.js';

export function createSubscribeReceiver({ scenario, target, recorder, tls, sink, connection }: ReceiverContext): EventReceiver {
  const settings = scenario.websocket;
  const url = webSocketUrl(new URL(target.origin), settings.subscribePath);
  const reader = eventReader(scenario.events);
  const opener = socketOpener(recorder, tls);
  const { session } = settings;
  const vars = new SessionVars(connection, rowOf(scenario.data, connection));
  const headers = Object.entries(settings.headers).map(([name, text]) => [name, compileText(text)] as const);
  const openSteps = compileSteps(session.open, recorder, false);
  const push = session.push ? pushEvents(session.push, sink, recorder) : undefined;
  const incoming = new Incoming();
  let runner: StepRunner | undefined;
  let closed = false;
  let opened = false;
  let current: WebSocket | undefined;
  let timer: NodeJS.Timeout | undefined;
  let timing: ReceiveTiming | undefined;
  /** Connections lost since the last event: the reconnect backoff's attempt. */
  let failures = 0;

  const again = (): void => {
    if (closed || !timing) return;
    failures++;
    const at = Math.max(timing.nextAt(now(), false), now() + reconnectDelay(scenario.reconnect, failures - 1));
    timer = setTimeout(connect, Math.max(0, at - now()));
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
    if (opened) recorder.count('reconnects');
    const startedAt = performance.now();
    let tcp: Socket | TLSSocket | undefined;
    let established = false;
    let sessionFailed = false;
    const createConnection = (options: TcpNetConnectOpts): Socket => {
      // `timeout` is ws's handshake timeout, which only the socket can apply.
      tcp = opener.open({ host: options.host ?? 'localhost', port: Number(options.port), timeout: options.timeout }).socket;
      return tcp;
    };
    const ws = new WebSocket(url, settings.subprotocols, {
      headers: Object.fromEntries(headers.map(([name, render]) => [name, render(vars)])),
      perMessageDeflate: settings.perMessageDeflate,
      handshakeTimeout: settings.handshakeTimeout || undefined,
      // ws only ever calls it with an options object
      createConnection: createConnection as unknown as typeof netConnect,
    });
    current = ws;
    ws.on('upgrade', (response) => {
      recorder.count('requests');
      recorder.count('headerBytes', (tcp?.bytesWritten ?? 0) + responseHeadBytes(101, response.statusMessage ?? '', response.rawHeaders));
    });
    ws.on('open', () => {
      opened = true;
      established = true;
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
      if (runner) {
        runner.abort(`ws_close_${code}`);
      } else if (established && !sessionFailed) recorder.error(`ws_close_${code}`);
      again();
    });
  }

  return {
    start(given) {
      timing = given;
      timer = setTimeout(connect, Math.max(0, given.firstAt - now()));
    },
    close() {
      closed = true;
      clearTimeout(timer);
      runner?.stop();
      const ws = current;
      if (!ws || ws.readyState === WebSocket.CLOSED) return Promise.resolve();
      return new Promise((resolve) => {
        const kill = setTimeout(() => ws.terminate(), 1000);
        ws.once('close', () => {
          clearTimeout(kill);
          resolve();
        });
        ws.close(1000);
      });
    },
  };
}
