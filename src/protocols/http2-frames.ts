// HTTP/2 framing (RFC 9113 sections 4 and 6) for the lean path (http2-lean.ts): the frame
// types and flags, the frames the client writes, and a reader that cuts what the socket
// delivers into frames, however the chunks fall.
export const frameHeaderBytes = 9;
export const frame = {
  data: 0x0,
  headers: 0x1,
  priority: 0x2,
  rstStream: 0x3,
  settings: 0x4,
  pushPromise: 0x5,
  ping: 0x6,
  goaway: 0x7,
  windowUpdate: 0x8,
  continuation: 0x9,
} as const;
export const flag = { endStream: 0x1, ack: 0x1, endHeaders: 0x4, padded: 0x8, priority: 0x20 } as const;
export const setting = {
  headerTableSize: 0x1,
  enablePush: 0x2,
  maxConcurrentStreams: 0x3,
  initialWindowSize: 0x4,
  maxFrameSize: 0x5,
  maxHeaderListSize: 0x6,
} as const;
/** Error codes this side sends or acts on (the names are http2-codes.ts'). */
export const h2Error = {
  noError: 0x0,
  protocolError: 0x1,
  flowControlError: 0x3,
  frameSizeError: 0x6,
  refusedStream: 0x7,
  cancel: 0x8,
  compressionError: 0x9,
} as const;
/** Every peer accepts frames this large; this side announces no other, so none larger may come. */
export const defaultMaxFrameSize = 16_384;
export const maxWindow = 2 ** 31 - 1;
export const connectionPreface = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/** A connection error (RFC 9113 section 5.4.1): the connection ends with a GOAWAY carrying `h2Code`. */
export class Http2ConnectionError extends Error {
  constructor(
    readonly h2Code: number,
    message: string,
  ) {
    super(message);
  }
}

export function frameBytes(type: number, flags: number, streamId: number, payload?: Uint8Array): Buffer {
  const length = payload?.length ?? 0;
  const bytes = Buffer.allocUnsafe(frameHeaderBytes + length);
  bytes.writeUIntBE(length, 0, 3);
  bytes[3] = type;
  bytes[4] = flags;
  bytes.writeUInt32BE(streamId, 5);
  if (payload) bytes.set(payload, frameHeaderBytes);
  return bytes;
}

export function settingsFrame(values: readonly (readonly [number, number])[]): Buffer {
  const payload = Buffer.allocUnsafe(values.length * 6);
  values.forEach(([id, value], i) => {
    payload.writeUInt16BE(id, i * 6);
    payload.writeUInt32BE(value, i * 6 + 2);
  });
  return frameBytes(frame.settings, 0, 0, payload);
}

export const settingsAck = frameBytes(frame.settings, flag.ack, 0);

export function windowUpdateFrame(streamId: number, increment: number): Buffer {
  const bytes = frameBytes(frame.windowUpdate, 0, streamId, Buffer.alloc(4));
  bytes.writeUInt32BE(increment, frameHeaderBytes);
  return bytes;
}

export function rstStreamFrame(streamId: number, code: number): Buffer {
  const bytes = frameBytes(frame.rstStream, 0, streamId, Buffer.alloc(4));
  bytes.writeUInt32BE(code, frameHeaderBytes);
  return bytes;
}

export function goawayFrame(lastStreamId: number, code: number): Buffer {
  const bytes = frameBytes(frame.goaway, 0, 0, Buffer.alloc(8));
  bytes.writeUInt32BE(lastStreamId, frameHeaderBytes);
  bytes.writeUInt32BE(code, frameHeaderBytes + 4);
  return bytes;
}

/**
 * A header block as HEADERS and as many CONTINUATION frames as `maxFrameSize` needs, stream
 * id 0: the sender writes each request's id into the copy it sends (`withStreamId`).
 */
export function headerFrames(block: Buffer, endStream: boolean, maxFrameSize = defaultMaxFrameSize): Buffer {
  const frames: Buffer[] = [];
  for (let at = 0; at === 0 || at < block.length; at += maxFrameSize) {
    const last = at + maxFrameSize >= block.length;
    const flags = (last ? flag.endHeaders : 0) | (at === 0 && endStream ? flag.endStream : 0);
    frames.push(frameBytes(at === 0 ? frame.headers : frame.continuation, flags, 0, block.subarray(at, at + maxFrameSize)));
  }
  return Buffer.concat(frames);
}

/** A copy of `frames` (from headerFrames) with every frame's stream id set to `streamId`. */
export function withStreamId(frames: Buffer, streamId: number): Buffer {
  const copy = Buffer.allocUnsafe(frames.length);
  frames.copy(copy);
  for (let at = 0; at < copy.length; at += frameHeaderBytes + copy.readUIntBE(at, 3)) copy.writeUInt32BE(streamId, at + 5);
  return copy;
}

/** A DATA or HEADERS payload without its padding (RFC 9113 section 6.1). */
export function unpadded(flags: number, payload: Buffer): Buffer {
  if (!(flags & flag.padded)) return payload;
  const pad = payload.length > 0 ? payload[0]! : 0;
  if (payload.length === 0 || pad >= payload.length) throw new Http2ConnectionError(h2Error.protocolError, 'padding as long as the frame');
  return payload.subarray(1, payload.length - pad);
}

/** Called per frame; `payload` is only valid during the call. */
export type FrameHandler = (type: number, flags: number, streamId: number, payload: Buffer) => void;

/** Cuts a byte stream into frames; a frame longer than `maxFrameSize` is a FRAME_SIZE_ERROR. */
export class FrameReader {
  private pending: Buffer | undefined;

  constructor(
    private readonly onFrame: FrameHandler,
    private readonly maxFrameSize = defaultMaxFrameSize,
  ) {}

  push(chunk: Buffer): void {
    const data = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = undefined;
    let at = 0;
    while (data.length - at >= frameHeaderBytes) {
      const length = (data[at]! << 16) | (data[at + 1]! << 8) | data[at + 2]!;
      if (length > this.maxFrameSize) throw new Http2ConnectionError(h2Error.frameSizeError, `a frame of ${length} bytes, above ${this.maxFrameSize}`);
      const end = at + frameHeaderBytes + length;
      if (end > data.length) break;
      const streamId = data.readUInt32BE(at + 5) & 0x7fffffff;
      this.onFrame(data[at + 3]!, data[at + 4]!, streamId, data.subarray(at + frameHeaderBytes, end));
      at = end;
    }
    // What is left is kept as a copy: the socket may reuse the chunk's memory.
    if (at < data.length) this.pending = Buffer.from(data.subarray(at));
  }
}
