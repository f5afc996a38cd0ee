// The send side of HTTP/2 flow control for the lean path (http2-lean-connection.ts): the
// request body goes out as DATA frames, stream after stream in the order they started, no
// larger than the server's MAX_FRAME_SIZE and never past its windows (the connection's and
// each stream's, INITIAL_WINDOW_SIZE from its SETTINGS), and resumes at each WINDOW_UPDATE.
import { Http2ConnectionError, defaultMaxFrameSize, flag, frame, frameBytes, h2Error, maxWindow } from './http2-frames.js';
import type { ServerSettings } from './http2-settings.js';

/** What the sender keeps on a stream. */
export interface BodyStream {
  id: number;
  /** Request body bytes sent so far, and what the server's window for it still allows. */
  bodySent: number;
  sendWindow: number;
}

/** Both windows start at 65,535 (RFC 9113 section 6.9.2). */
const initialWindow = 65_535;

export class BodySender {
  private connectionWindow = initialWindow;
  private streamWindow = initialWindow;
  private maxFrame = defaultMaxFrameSize;
  private readonly waiting: BodyStream[] = [];

  constructor(
    private readonly body: Buffer,
    /** The connection's open streams: a stream that left it sends no more. */
    private readonly open: ReadonlyMap<number, BodyStream>,
    private readonly send: (bytes: Buffer) => void,
  ) {}

  add(stream: BodyStream): void {
    stream.bodySent = 0;
    stream.sendWindow = this.streamWindow;
    this.waiting.push(stream);
    this.pump();
  }

  settings(values: ServerSettings): void {
    if (values.initialWindowSize !== undefined) {
      // A new initial window moves every open stream's window by the difference (section 6.9.2).
      for (const stream of this.open.values()) stream.sendWindow += values.initialWindowSize - this.streamWindow;
      this.streamWindow = values.initialWindowSize;
    }
    if (values.maxFrameSize !== undefined) this.maxFrame = values.maxFrameSize;
    this.pump();
  }

  windowUpdate(streamId: number, increment: number): void {
    if (streamId === 0) {
      this.connectionWindow += increment;
      if (this.connectionWindow > maxWindow) throw new Http2ConnectionError(h2Error.flowControlError, 'the connection window above 2^31-1');
    } else {
      const stream = this.open.get(streamId);
      if (stream) stream.sendWindow += increment;
    }
    this.pump();
  }

  private pump(): void {
    const body = this.body;
    while (this.waiting.length > 0) {
      const stream = this.waiting[0]!;
      if (this.open.get(stream.id) !== stream) {
        this.waiting.shift();
        continue;
      }
      const size = Math.min(body.length - stream.bodySent, this.maxFrame, this.connectionWindow, stream.sendWindow);
      if (size <= 0 && body.length > stream.bodySent) return;
      const last = stream.bodySent + size === body.length;
      this.send(frameBytes(frame.data, last ? flag.endStream : 0, stream.id, body.subarray(stream.bodySent, stream.bodySent + size)));
      stream.bodySent += size;
      this.connectionWindow -= size;
      stream.sendWindow -= size;
      if (last) this.waiting.shift();
    }
  }
}
