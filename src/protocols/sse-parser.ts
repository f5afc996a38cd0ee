// A text/event-stream parser following the WHATWG EventSource rules (HTML standard, "Server-
// sent events", interpreting an event stream): UTF-8 with one leading BOM dropped; lines end
// in CRLF, LF or CR, even when a CRLF is split across two chunks; `:` starts a comment; a
// field's value loses one leading space; `data` lines join with LF; `id` without NUL sets the
// last event id, which outlives the event; `retry` of ASCII digits sets the reconnection
// time; a blank line dispatches the event (none when no data came). Where the standard says
// to ignore a line, the parser still ignores it but reports it (`sse_malformed_line`), and a
// limit on the size of one event or line keeps a runaway stream from eating memory
// (`sse_event_too_large`).

export interface ServerSentEvent {
  /** `event:` name, `message` when none was given. */
  type: string;
  data: string;
  /** The last event id in force when the event was dispatched ('' when none). */
  lastEventId: string;
}

export interface SseParserEvents {
  event(event: ServerSentEvent): void;
  /** A `retry:` field: the reconnection time in ms. */
  retry(ms: number): void;
  /** A stable error code (`sse_malformed_line`, `sse_event_too_large`); parsing goes on. */
  problem(code: string): void;
}

export interface SseParser {
  push(chunk: Uint8Array): void;
  /** The last event id, for a reconnect's `Last-Event-ID`; undefined until this stream dispatched an event. */
  readonly lastEventId: string | undefined;
}

const knownFields = new Set(['event', 'data', 'id', 'retry']);

/** `maxEventSize`: the most characters of one event's data, or of one line. */
export function sseParser(maxEventSize: number, on: SseParserEvents): SseParser {
  // fatal: false turns bad UTF-8 into U+FFFD as the standard asks; ignoreBOM: false drops a leading BOM.
  const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false });
  let line = '';
  let lineTooLong = false;
  // A CR ended the last line: an LF first in the next text belongs to it.
  let afterCr = false;
  let data: string[] = [];
  let dataSize = 0;
  let tooLarge = false;
  let type = '';
  let idBuffer = '';
  let lastEventId: string | undefined;

  const dispatch = (): void => {
    lastEventId = idBuffer;
    const id = idBuffer;
    const oversized = tooLarge;
    const lines = data;
    const name = type;
    data = [];
    dataSize = 0;
    tooLarge = false;
    type = '';
    if (oversized) {
      on.problem('sse_event_too_large');
      return;
    }
    if (lines.length === 0) return;
    on.event({ type: name === '' ? 'message' : name, data: lines.join('\n'), lastEventId: id });
  };

  const field = (text: string): void => {
    if (text === '') {
      dispatch();
      return;
    }
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const name = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (!knownFields.has(name) || text.includes('\uFFFD')) on.problem('sse_malformed_line');
    switch (name) {
      case 'event':
        type = value;
        break;
      case 'data':
        dataSize += value.length + 1;
        if (dataSize > maxEventSize) tooLarge = true;
        else data.push(value);
        break;
      case 'id':
        if (!value.includes('\0')) idBuffer = value;
        break;
      case 'retry':
        if (/^[0-9]+$/.test(value)) on.retry(Number(value));
        else on.problem('sse_malformed_line');
        break;
    }
  };

  const endLine = (): void => {
    if (lineTooLong) {
      // The line was cut off: its field is lost, and so is the event it belonged to.
      lineTooLong = false;
      tooLarge = true;
    } else field(line);
    line = '';
  };

  return {
    get lastEventId() {
      return lastEventId;
    },
    push(chunk) {
      const text = decoder.decode(chunk, { stream: true });
      let start = 0;
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c !== 10 && c !== 13) continue;
        if (c === 10 && afterCr && i === start) {
          // The LF of a CRLF whose CR ended the previous line.
          afterCr = false;
          start = i + 1;
          continue;
        }
        append(text.slice(start, i));
        endLine();
        afterCr = c === 13;
        if (afterCr && text.charCodeAt(i + 1) === 10) {
          afterCr = false;
          i++;
        }
        start = i + 1;
      }
      if (start < text.length) {
        afterCr = false;
        append(text.slice(start));
      }
    },
  };

  function append(part: string): void {
    if (lineTooLong || part === '') return;
    if (line.length + part.length > maxEventSize) {
      lineTooLong = true;
      line = '';
      return;
    }
    line += part;
  }
}
