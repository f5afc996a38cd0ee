// WebSocket subscribe: one socket per client, opened once, on which the target pushes its
// events; the client sends nothing. A connection that drops is opened again (a reconnect),
// and whatever was published meanwhile shows up as a gap in the sequence numbers. The
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

export function createSubscribeReceiver({ scenario, target, recorder, tls, sink }: ReceiverContext): EventReceiver {
  const settings = scenario.websocket;
  const url = webSocketUrl(new URL(target.origin), settings.subscribePath);
  const reader = eventReader(scenario.events);
  const opener = socketOpener(recorder, tls);
  let closed = false;
  let opened = false;
  let current: WebSocket | undefined;
  let timer: NodeJS.Timeout | undefined;
  let timing: ReceiveTiming | undefined;

  const again = (): void => {
    if (closed || !timing) return;
    timer = setTimeout(connect, Math.max(0, timing.nextAt(now(), false) - now()));
  };

  function connect(): void {
    if (closed) return;
    if (opened) recorder.count('reconnects');
    const startedAt = performance.now();
    let tcp: Socket | TLSSocket | undefined;
    let established = false;
    const createConnection = (options: TcpNetConnectOpts): Socket => {
      // `timeout` is ws's handshake timeout, which only the socket can apply.
      tcp = opener.open({ host: options.host ?? 'localhost', port: Number(options.port), timeout: options.timeout }).socket;
      return tcp;
    };
    const ws = new WebSocket(url, {
      // websocket.headers, with the target URL's credentials as HTTP Basic (scenario/secrets.ts).
      headers: scenario.websocket.headers,
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
    });
    ws.on('message', (data: WebSocket.RawData) => {
      const receivedAt = now();
      recorder.count('messages');
      // binaryType is ws's default, nodebuffer: a whole message arrives as one Buffer.
      const { events, problem } = reader.message((data as Buffer).toString());
      if (problem) recorder.error(problem);
      sink.received(events, receivedAt);
    });
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
      if (established) recorder.error(`ws_close_${code}`);
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
