// An incremental HTTP/1.1 response parser for the lean keep-alive driver: status line and
// headers (also across reads), a Content-Length, chunked or read-until-close body, chunked
// trailers, no body for 1xx, 204 and 304, 1xx responses skipped. It keeps only what the
// driver needs (status, whether the connection stays open, the keep-alive hint) and throws
// ResponseParseError on bytes that are no HTTP response, under the code the undici path gives.

/** What undici's path reports for a response head over its 16 KiB limit. */
const headTooLargeCode = 'UND_ERR_HEADERS_OVERFLOW';
const maxHeadBytes = 16 * 1024;
const parseErrorCode = 'http_parse_error';
const statusLine = /^HTTP\/1\.([01]) (\d{3})(?: |$)/;
const keepAliveTimeout = /timeout=(\d+)/;
const chunkSize = /^([0-9a-fA-F]+)[ \t]*(?:;.*)?$/;
const headerLine = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+:/;

export class ResponseParseError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ResponseHead {
  status: number;
  /** The connection may carry another request after this response. */
  keepAlive: boolean;
  /** `Keep-Alive: timeout=N` in ms, as undici reads it; null without one. */
  keepAliveHintMs: number | null;
}

const enum Body {
  Head,
  Length,
  ChunkLine,
  ChunkData,
  ChunkEnd,
  Trailers,
  UntilClose,
}

export class Http1ResponseParser {
  private state = Body.Head;
  /** Bytes of a head, chunk-size line or trailer line not complete yet. */
  private pending: Buffer | undefined;
  private remaining = 0;
  private generation = 0;
  readonly head: ResponseHead = { status: 0, keepAlive: true, keepAliveHintMs: null };

  /** `headDone` when the final (non-1xx) head is read; `complete` when its body is. Throws ResponseParseError. */
  constructor(
    private readonly headDone: (head: ResponseHead) => void,
    private readonly complete: () => void,
  ) {}

  /** `chunk` is read during the call only: what must outlast it is copied. */
  feed(chunk: Buffer): void {
    const generation = this.generation;
    const data = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = undefined;
    let at = 0;
    while (at < data.length) {
      switch (this.state) {
        case Body.Head: {
          const end = data.indexOf('\r\n\r\n', at, 'latin1');
          if (end < 0) return this.keep(data, at, maxHeadBytes, headTooLargeCode);
          if (end - at > maxHeadBytes) throw new ResponseParseError(headTooLargeCode, 'response head over 16 KiB');
          this.readHead(data.toString('latin1', at, end));
          at = end + 4;
          break;
        }
        case Body.Length: {
          const take = Math.min(this.remaining, data.length - at);
          this.remaining -= take;
          at += take;
          if (this.remaining === 0) this.finish();
          break;
        }
        case Body.UntilClose:
          return;
        case Body.ChunkData: {
          const take = Math.min(this.remaining, data.length - at);
          this.remaining -= take;
          at += take;
          if (this.remaining === 0) this.state = Body.ChunkEnd;
          break;
        }
        default: {
          const end = data.indexOf('\r\n', at, 'latin1');
          if (end < 0) return this.keep(data, at, 1024, parseErrorCode);
          this.readLine(data.toString('latin1', at, end));
          at = end + 2;
        }
      }
      // The driver started over on another socket (the answer closed this one): the rest is not its to read.
      if (this.generation !== generation) return;
    }
  }

  /** The connection ended: true when that completed a read-until-close body. */
  end(): boolean {
    if (this.state !== Body.UntilClose) return false;
    this.finish();
    return true;
  }

  /** Forgets what was read: a new socket starts with a new response. */
  reset(): void {
    this.state = Body.Head;
    this.pending = undefined;
    this.generation++;
  }

  /** Between a response and the next, with nothing half read. */
  get idle(): boolean {
    return this.state === Body.Head && this.pending === undefined;
  }

  private keep(data: Buffer, at: number, limit: number, code: string): void {
    if (data.length - at > limit) throw new ResponseParseError(code, 'response line or head too long');
    // A copy: the chunk may be a read buffer the socket fills again with its next read.
    this.pending = Buffer.from(data.subarray(at));
  }

  private readHead(text: string): void {
    const lines = text.split('\r\n');
    const status = statusLine.exec(lines[0]!);
    if (!status) throw new ResponseParseError(parseErrorCode, `not an HTTP/1.x status line: ${JSON.stringify(lines[0]!.slice(0, 40))}`);
    const code = Number(status[2]);
    let length: number | undefined;
    let chunked = false;
    let connection = '';
    let hint: number | null = null;
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      if (!headerLine.test(line)) throw new ResponseParseError(parseErrorCode, `not a header line: ${JSON.stringify(line.slice(0, 40))}`);
      const colon = line.indexOf(':');
      // Only four headers matter here; their names have these lengths.
      if (colon !== 14 && colon !== 17 && colon !== 10) continue;
      const name = line.slice(0, colon).toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === 'content-length') {
        if (!/^\d+$/.test(value) || (length !== undefined && length !== Number(value)))
          throw new ResponseParseError(parseErrorCode, `bad content-length: ${value}`);
        length = Number(value);
      } else if (name === 'transfer-encoding') chunked = /(?:^|,)\s*chunked\s*$/i.test(value);
      else if (name === 'connection') connection += `,${value.toLowerCase()}`;
      else if (name === 'keep-alive') {
        const timeout = keepAliveTimeout.exec(value);
        hint = timeout ? Number(timeout[1]) * 1000 : null;
      }
    }
    if (code < 200) {
      // 101 switches protocols, which this client never asks for.
      if (code === 101) throw new ResponseParseError(parseErrorCode, 'unrequested protocol switch (101)');
      return;
    }
    const tokens = connection.split(',').map((token) => token.trim());
    const head = this.head;
    head.status = code;
    head.keepAlive = status[1] === '1' ? !tokens.includes('close') : tokens.includes('keep-alive');
    head.keepAliveHintMs = hint;
    if (code === 204 || code === 304) this.state = Body.Head;
    else if (chunked) this.state = Body.ChunkLine;
    else if (length !== undefined) {
      this.state = length > 0 ? Body.Length : Body.Head;
      this.remaining = length;
    } else {
      this.state = Body.UntilClose;
      head.keepAlive = false;
    }
    this.headDone(head);
    if (this.state === Body.Head) this.complete();
  }

  private readLine(line: string): void {
    if (this.state === Body.ChunkEnd) {
      if (line !== '') throw new ResponseParseError(parseErrorCode, 'chunk data longer than its size');
      this.state = Body.ChunkLine;
    } else if (this.state === Body.ChunkLine) {
      const size = chunkSize.exec(line);
      if (!size) throw new ResponseParseError(parseErrorCode, `bad chunk size line: ${JSON.stringify(line.slice(0, 40))}`);
      this.remaining = parseInt(size[1]!, 16);
      this.state = this.remaining === 0 ? Body.Trailers : Body.ChunkData;
    } else if (line === '') this.finish();
    else if (!headerLine.test(line)) throw new ResponseParseError(parseErrorCode, `bad trailer line: ${JSON.stringify(line.slice(0, 40))}`);
  }

  private finish(): void {
    this.state = Body.Head;
    this.complete();
  }
}
