// One client's text/event-stream over its own undici Client (one socket): open the stream,
// check the answer is an event stream, parse it (sse-parser.ts), and remember what a resume
// needs (the last event id, the server's `retry`). Both ways of running protocol: sse use it:
// the receiver that counts events and the driver that holds idle streams. A response that
// is not an event stream, an HTTP error and a stream silent past sse.readTimeout are each
// ended with a stable code. Header bytes are counted as for polling, so requests and header
// bytes per event compare across the transports.
import type { Dispatcher } from 'undici';
import { undiciParts } from './undici-client.js';
import type { Recorder } from '../metrics/recorder.js';
import type { StepScenario } from '../scenario/types.js';
import { errorCode } from './error-code.js';
import { responseHeadBytes } from './poll.js';
import { socketOpener } from './socket-opener.js';
import { sseParser, type ServerSentEvent } from './sse-parser.js';
import { httpTarget } from './target-port.js';
import type { ClientTls } from './tls-options.js';
import { countingConnector, undiciConnector } from './undici-connector.js';

/** How long opening the socket may take when sse.readTimeout is 0 (off): the connect timeout undici itself uses. */
const connectTimeoutWhenNoReadTimeout = 10_000;

export interface SseStreamHandlers {
  /** The answer is an event stream: the stream is open. */
  opened(): void;
  event(event: ServerSentEvent): void;
  /**
   * The stream is over, once per open: null when the server ended it, else a stable code
   * (refused, an HTTP error, a stall, a broken socket). `answered`: the target answered at all.
   */
  ended(code: string | null, answered: boolean): void;
}

export interface SseStreams {
  /** Opens a stream, with `Last-Event-ID` when an earlier stream saw an event id. */
  open(handlers: SseStreamHandlers): void;
  /** Cuts the current stream without it ending (its handlers hear nothing more). */
  cut(): void;
  /** The reconnection time: sse.retry until the server sends `retry:`. */
  readonly reconnectMs: number;
  close(): Promise<void>;
}

export interface SseStreamContext {
  scenario: StepScenario;
  target: URL;
  recorder: Recorder;
  tls: ClientTls | undefined;
  localAddress: string | undefined;
}

export function sseStreams({ scenario, target, recorder, tls, localAddress }: SseStreamContext): SseStreams {
  const settings = scenario.sse;
  const origin = httpTarget(target).origin;
  const connectTimeout = settings.readTimeout > 0 ? settings.readTimeout : connectTimeoutWhenNoReadTimeout;
  const { connect, writtenSinceLast } = countingConnector(undiciConnector(socketOpener(recorder, tls), recorder, connectTimeout));
  // undici's bodyTimeout is the longest silence between two chunks: exactly a stall (0: never).
  const client = new (undiciParts().Client)(origin, {
    connect,
    pipelining: 1,
    headersTimeout: settings.readTimeout,
    bodyTimeout: settings.readTimeout,
    ...(localAddress ? { localAddress } : {}),
  });
  // A client-level error must not crash the worker; the stream that met it reports it.
  client.on('connectionError', () => {});

  let reconnectMs = settings.retry;
  let lastEventId = '';
  let current: { abort: ((reason?: Error) => void) | undefined; silenced: boolean } | undefined;

  return {
    get reconnectMs() {
      return reconnectMs;
    },
    open(handlers) {
      const stream: { abort: ((reason?: Error) => void) | undefined; silenced: boolean } = { abort: undefined, silenced: false };
      current = stream;
      // The response was refused (an HTTP error, not an event stream) and aborted: its code is already known.
      let refusal: string | undefined;
      let answered = false;
      let over = false;
      const parser = sseParser(settings.maxEventSize, {
        event: (event) => {
          if (!stream.silenced) handlers.event(event);
        },
        retry(ms) {
          reconnectMs = ms;
        },
        problem(code) {
          recorder.error(code);
        },
      });
      const end = (code: string | null): void => {
        if (over || stream.silenced) return;
        over = true;
        if (parser.lastEventId !== undefined) lastEventId = parser.lastEventId;
        handlers.ended(code, answered);
      };
      const headers: Record<string, string> = { ...scenario.http.headers, accept: 'text/event-stream', 'cache-control': 'no-cache' };
      if (lastEventId !== '') headers['last-event-id'] = lastEventId;
      const options: Dispatcher.DispatchOptions = { origin, path: settings.path, method: 'GET', headers };
      client.dispatch(options, {
        onConnect(abort) {
          stream.abort = abort;
          // Cut before its socket was ready: it must not stay open behind the client's back.
          if (stream.silenced) abort();
        },
        onHeaders(statusCode, rawHeaders, _resume, statusText) {
          answered = true;
          recorder.count('requests');
          recorder.count('headerBytes', writtenSinceLast() + responseHeadBytes(statusCode, statusText, rawHeaders));
          if (statusCode >= 300) refusal = `http_${statusCode}`;
          else if (!isEventStream(rawHeaders)) refusal = 'sse_not_event_stream';
          if (refusal !== undefined) {
            end(refusal);
            stream.abort?.();
          } else if (!stream.silenced) {
            handlers.opened();
          }
          return true;
        },
        onData(chunk) {
          if (refusal === undefined) parser.push(chunk);
          return true;
        },
        onComplete() {
          end(null);
        },
        onError(error) {
          const code = errorCode(error);
          end(code === 'timeout' ? 'sse_stalled' : code);
        },
      });
    },
    cut() {
      const stream = current;
      current = undefined;
      if (!stream) return;
      stream.silenced = true;
      stream.abort?.();
    },
    async close() {
      const stream = current;
      if (stream) stream.silenced = true;
      await client.destroy();
    },
  };
}

function isEventStream(rawHeaders: readonly (Buffer | string)[]): boolean {
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (String(rawHeaders[i]).toLowerCase() === 'content-type') {
      return (
        String(rawHeaders[i + 1])
          .split(';')[0]!
          .trim()
          .toLowerCase() === 'text/event-stream'
      );
    }
  }
  return false;
}
