// One HTTP/2 connection of the lean path (http2-lean.ts), over a socket from the opener:
// the preface and SETTINGS, SETTINGS and PING acks, flow control both ways (receive windows
// topped up so they never stall, request bodies sent as the server's windows allow), HPACK-
// decoded response headers, and every frame a server may send read or ignored as RFC 9113
// says. What a stream's end means for the load (answered, refused, failed) is the client's.
import type { Socket } from 'node:net';
import { HpackDecoder } from './hpack.js';
import { HpackError } from './hpack-error.js';
import { http2CodeName } from './http2-codes.js';
import * as f from './http2-frames.js';
import { readSettings } from './http2-settings.js';
import { BodySender } from './http2-body-sender.js';

const streamWindowBytes = 6 * 1024 * 1024;
const connectionWindowBytes = 15 * 1024 * 1024;
const maxStreamId = 2 ** 31 - 1;
/** How long a connection this side ended with a GOAWAY waits for the server to close it. */
const goawayGraceMs = 1000;

/** One request on the wire; the client keeps its own fields on it. */
export interface LeanStream {
  id: number;
  /** The final response's :status, 0 until it came. */
  status: number;
  /** Bytes received on it since its window was last topped up. */
  received: number;
  /** Request body bytes sent so far, and what the server's window for it still allows. */
  bodySent: number;
  sendWindow: number;
}

export interface LeanConnectionEvents {
  /** The server's SETTINGS came (first, or new ones): streams may be opened up to `limit`. */
  settings(maxConcurrentStreams: number): void;
  /** The stream ended: `resetCode` undefined when it ended with END_STREAM, else the server's RST_STREAM code. */
  streamEnded(stream: LeanStream, resetCode: number | undefined): void;
  goaway(code: number, lastStreamId: number): void;
  /** A connection error found on this side: the code it ends with (`h2_protocol_error`, ...). */
  failed(code: string): void;
}

export class LeanConnection {
  readonly open = new Map<number, LeanStream>();
  nextStreamId = 1;
  private readonly reader: f.FrameReader;
  private readonly decoder = new HpackDecoder();
  private out: Buffer[] = [];
  private flushing = false;
  private settled = false;
  /** A connection error or the client ended it: nothing more is read. */
  private failed = false;
  /** The header block being collected from HEADERS and CONTINUATION frames. */
  private fragments: Buffer[] | undefined;
  private fragmentsStream = 0;
  private fragmentsEnd = false;
  private receivedUnacked = 0;
  private receiveWindow = connectionWindowBytes;
  private status = 0;
  /** The request body's sending, as the server's windows allow; undefined without a body. */
  private readonly bodies: BodySender | undefined;
  private readonly readStatus = (name: string, value: string): void => {
    if (name === ':status') this.status = Number(value);
  };

  constructor(
    readonly socket: Socket,
    private readonly events: LeanConnectionEvents,
    /** The request's HEADERS (+ CONTINUATION) frames, stream id 0, and its body if any. */
    private readonly requestFrames: Buffer,
    body: Buffer | undefined,
  ) {
    this.bodies = body && new BodySender(body, this.open, (bytes) => this.send(bytes));
    this.reader = new f.FrameReader((type, flags, streamId, payload) => this.frame(type, flags, streamId, payload));
  }

  /** The socket is up: the preface, SETTINGS, and the connection's receive window raised. */
  start(): void {
    const settings = f.settingsFrame([
      [f.setting.enablePush, 0],
      [f.setting.initialWindowSize, streamWindowBytes],
    ]);
    this.send(Buffer.concat([f.connectionPreface, settings, f.windowUpdateFrame(0, connectionWindowBytes - 65_535)]));
  }

  /** Bytes from the socket; a connection error ends the connection with a GOAWAY. */
  read(chunk: Buffer): void {
    if (this.failed) return;
    try {
      this.reader.push(chunk);
    } catch (error) {
      const code = error instanceof f.Http2ConnectionError ? error.h2Code : error instanceof HpackError ? f.h2Error.compressionError : f.h2Error.protocolError;
      if (!(error instanceof f.Http2ConnectionError || error instanceof HpackError)) throw error;
      this.failed = true;
      // The GOAWAY goes out before the socket closes: ended, not destroyed, and closed for sure soon after.
      this.socket.end(f.goawayFrame(0, code));
      setTimeout(() => this.socket.destroy(), goawayGraceMs).unref();
      this.events.failed(`h2_${http2CodeName(code)}`);
    }
  }

  /** Sends the request on a new stream; the caller checked the stream limit. */
  request(stream: LeanStream): void {
    const id = this.nextStreamId;
    this.nextStreamId += 2;
    stream.id = id;
    stream.status = 0;
    stream.received = 0;
    stream.bodySent = 0;
    this.open.set(id, stream);
    this.send(f.withStreamId(this.requestFrames, id));
    this.bodies?.add(stream);
  }

  /** No stream id is left for another request. */
  exhausted(): boolean {
    return this.nextStreamId > maxStreamId;
  }

  /** Ends a stream from this side (its deadline passed). */
  cancel(stream: LeanStream): void {
    if (this.open.get(stream.id) !== stream) return;
    this.open.delete(stream.id);
    this.send(f.rstStreamFrame(stream.id, f.h2Error.cancel));
  }

  private send(bytes: Buffer): void {
    this.out.push(bytes);
    if (this.flushing) return;
    this.flushing = true;
    // Everything queued in one turn (a chunk's answers and the requests they let start) goes in one write.
    queueMicrotask(() => {
      this.flushing = false;
      const out = this.out;
      this.out = [];
      if (!this.socket.destroyed && this.socket.writable) this.socket.write(out.length === 1 ? out[0]! : Buffer.concat(out));
    });
  }

  /** Ends the connection now: nothing more is read, even the rest of a chunk being read. */
  destroy(): void {
    if (this.failed) return;
    this.failed = true;
    this.socket.destroy();
  }

  private frame(type: number, flags: number, streamId: number, payload: Buffer): void {
    if (this.failed) return;
    if (this.fragments && type !== f.frame.continuation)
      throw new f.Http2ConnectionError(f.h2Error.protocolError, 'a frame between HEADERS and its CONTINUATION');
    if (!this.settled && type !== f.frame.settings) throw new f.Http2ConnectionError(f.h2Error.protocolError, 'the server preface is not a SETTINGS frame');
    switch (type) {
      case f.frame.data:
        return this.data(flags, streamId, payload);
      case f.frame.headers:
        return this.headers(flags, streamId, payload);
      case f.frame.continuation:
        if (!this.fragments || streamId !== this.fragmentsStream) throw new f.Http2ConnectionError(f.h2Error.protocolError, 'a CONTINUATION without HEADERS');
        this.fragments.push(Buffer.from(payload));
        if (flags & f.flag.endHeaders) this.headerBlock();
        return;
      case f.frame.rstStream: {
        this.expect(streamId !== 0, payload.length === 4, 'RST_STREAM');
        const stream = this.streamFor(streamId);
        if (stream) this.end(stream, payload.readUInt32BE(0));
        return;
      }
      case f.frame.settings:
        return this.settings(flags, streamId, payload);
      case f.frame.ping:
        this.expect(streamId === 0, payload.length === 8, 'PING');
        if (!(flags & f.flag.ack)) this.send(f.frameBytes(f.frame.ping, f.flag.ack, 0, payload));
        return;
      case f.frame.goaway:
        if (streamId !== 0) throw new f.Http2ConnectionError(f.h2Error.protocolError, 'a GOAWAY on a stream');
        if (payload.length < 8) throw new f.Http2ConnectionError(f.h2Error.frameSizeError, 'a GOAWAY shorter than 8 bytes');
        return this.events.goaway(payload.readUInt32BE(4), payload.readUInt32BE(0) & 0x7fffffff);
      case f.frame.windowUpdate:
        if (payload.length !== 4) throw new f.Http2ConnectionError(f.h2Error.frameSizeError, 'WINDOW_UPDATE of the wrong length');
        if (streamId !== 0) this.streamFor(streamId);
        if ((payload.readUInt32BE(0) & 0x7fffffff) === 0) throw new f.Http2ConnectionError(f.h2Error.protocolError, 'a WINDOW_UPDATE of 0');
        return this.bodies?.windowUpdate(streamId, payload.readUInt32BE(0) & 0x7fffffff);
      case f.frame.priority:
        this.expect(streamId !== 0, payload.length === 5, 'PRIORITY');
        return;
      case f.frame.pushPromise:
        throw new f.Http2ConnectionError(f.h2Error.protocolError, 'PUSH_PROMISE with push disabled');
      default:
      // Unknown frame types are ignored (RFC 9113 section 4.1).
    }
  }

  private expect(streamOk: boolean, lengthOk: boolean, what: string): void {
    if (!streamOk) throw new f.Http2ConnectionError(f.h2Error.protocolError, `${what} on the wrong stream`);
    if (!lengthOk) throw new f.Http2ConnectionError(f.h2Error.frameSizeError, `${what} of the wrong length`);
  }

  /** The open stream `streamId` names; undefined for one closed already; an error for one never opened. */
  private streamFor(streamId: number): LeanStream | undefined {
    if (streamId % 2 === 0 || streamId >= this.nextStreamId) throw new f.Http2ConnectionError(f.h2Error.protocolError, `a frame on idle stream ${streamId}`);
    return this.open.get(streamId);
  }

  private data(flags: number, streamId: number, payload: Buffer): void {
    if (streamId === 0) throw new f.Http2ConnectionError(f.h2Error.protocolError, 'DATA on stream 0');
    // Flow control counts the whole payload, padding included.
    this.receiveWindow -= payload.length;
    if (this.receiveWindow < 0) throw new f.Http2ConnectionError(f.h2Error.flowControlError, 'DATA past the connection window');
    this.receivedUnacked += payload.length;
    if (this.receivedUnacked >= connectionWindowBytes / 2) {
      this.send(f.windowUpdateFrame(0, this.receivedUnacked));
      this.receiveWindow += this.receivedUnacked;
      this.receivedUnacked = 0;
    }
    f.unpadded(flags, payload);
    const stream = this.streamFor(streamId);
    if (!stream) return;
    if (stream.status === 0) throw new f.Http2ConnectionError(f.h2Error.protocolError, 'DATA before the response headers');
    if (flags & f.flag.endStream) return this.end(stream, undefined);
    stream.received += payload.length;
    if (stream.received >= streamWindowBytes / 2) {
      this.send(f.windowUpdateFrame(streamId, stream.received));
      stream.received = 0;
    }
  }

  private headers(flags: number, streamId: number, payload: Buffer): void {
    if (streamId === 0) throw new f.Http2ConnectionError(f.h2Error.protocolError, 'HEADERS on stream 0');
    let block = f.unpadded(flags, payload);
    if (flags & f.flag.priority) {
      if (block.length < 5) throw new f.Http2ConnectionError(f.h2Error.frameSizeError, 'HEADERS too short for its priority');
      block = block.subarray(5);
    }
    this.fragmentsStream = streamId;
    this.fragmentsEnd = (flags & f.flag.endStream) !== 0;
    this.fragments = [Buffer.from(block)];
    if (flags & f.flag.endHeaders) this.headerBlock();
  }

  /** A whole header block: always decoded (the HPACK table changes), then applied to its stream if open. */
  private headerBlock(): void {
    const fragments = this.fragments!;
    this.fragments = undefined;
    this.status = 0;
    this.decoder.decode(fragments.length === 1 ? fragments[0]! : Buffer.concat(fragments), this.readStatus);
    const stream = this.streamFor(this.fragmentsStream);
    if (!stream) return;
    if (stream.status === 0) {
      if (this.status === 0) throw new f.Http2ConnectionError(f.h2Error.protocolError, 'a response without :status');
      // An informational (1xx) response comes before the final one.
      if (this.status >= 200) stream.status = this.status;
    }
    if (this.fragmentsEnd) this.end(stream, undefined);
  }

  private end(stream: LeanStream, resetCode: number | undefined): void {
    this.open.delete(stream.id);
    if (stream.status === 0 && resetCode === undefined) resetCode = f.h2Error.protocolError;
    this.events.streamEnded(stream, resetCode);
  }

  private settings(flags: number, streamId: number, payload: Buffer): void {
    const values = readSettings(flags, streamId, payload);
    if (!values) return;
    this.send(f.settingsAck);
    this.settled = true;
    this.bodies?.settings(values);
    this.events.settings(values.maxConcurrentStreams ?? Number.MAX_SAFE_INTEGER);
  }
}
