// How the built-in target answers a request, HTTP/1.1 or HTTP/2 alike: once the request
// body is read, as a real handler would, after the configured delay.
import type { Readable } from 'node:stream';

/** `request` is read to its end; `closed` is what fires 'close' when the exchange is over. */
export function answerAfterBody(request: Readable, closed: NodeJS.EventEmitter, delayMs: number, respond: () => void): void {
  request.once('end', () => {
    if (delayMs <= 0) {
      respond();
      return;
    }
    const timer = setTimeout(respond, delayMs);
    // A delay must not outlive its connection: it would hold a stopping process open.
    closed.once('close', () => clearTimeout(timer));
  });
  request.resume();
}
