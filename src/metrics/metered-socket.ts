// A TCP socket that tells its recorder when bytes move on it, so that an interval's wire
// bytes come from the sockets that moved any, not from a read of every open socket: a hold
// of 100,000 idle connections then costs nothing per interval. Every read reaches JavaScript
// through push() and every write leaves through write() or end(): for a socket whose bytes
// JavaScript reads and writes itself, that is all of them. Under TLS (or an HTTP/2 session),
// native code moves the bytes of the TCP socket, which then stays a plain net.Socket and is
// read at every interval instead. A socket may also be read by a callback into a reused
// buffer (net's `onread`): no Buffer, stream state or 'data' event per read, which cost a
// bare keep-alive loop against nginx about 40 % of its CPU per request. Those reads bypass
// push(), so the callback is counted here instead.
import { Socket, type OnReadOpts, type SocketConstructorOpts } from 'node:net';

/** What the recorder keeps of a metered socket. */
export interface SocketMeter {
  touched(socket: MeteredSocket): void;
}

type WriteCallback = (error?: Error | null) => void;

export class MeteredSocket extends Socket {
  /** Bytes of this socket already in the recorder's counts. */
  countedRead = 0;
  countedWritten = 0;
  /** Counted by the recorder since it connected; before that its bytes count nowhere, as a failed connection's. */
  tracked = false;
  /** Moved bytes since the recorder last counted them. */
  moved = false;

  private readonly meter: SocketMeter;

  /** `onread`: the socket's bytes go to `onread.callback` (valid during the call only) instead of 'data' events. */
  constructor(meter: SocketMeter, onread?: OnReadOpts) {
    // The callback is made before `this` exists; it is first called after the constructor.
    const self: { socket?: MeteredSocket } = {};
    const counted = onread && {
      buffer: onread.buffer,
      callback: (bytes: number, buffer: Uint8Array) => self.socket!.markMoved() && onread.callback(bytes, buffer),
    };
    // net.connect hands `onread` to the Socket constructor, which is what reads it (Socket#connect
    // does not); @types/node lists it for connect only.
    const options: SocketConstructorOpts & { onread?: OnReadOpts } = counted ? { onread: counted } : {};
    super(options);
    this.meter = meter;
    self.socket = this;
  }

  /** Tells the meter this socket moved bytes. Always true, so a read callback can be chained after it. */
  private markMoved(): true {
    if (this.tracked && !this.moved) this.meter.touched(this);
    return true;
  }

  override push(chunk: unknown, encoding?: BufferEncoding): boolean {
    this.markMoved();
    return super.push(chunk, encoding);
  }

  override write(chunk: Uint8Array | string, encoding?: BufferEncoding | WriteCallback, callback?: WriteCallback): boolean {
    this.markMoved();
    return typeof encoding === 'function' ? super.write(chunk, encoding) : super.write(chunk, encoding, callback);
  }

  override end(chunk?: Uint8Array | string | WriteCallback, encoding?: BufferEncoding | WriteCallback, callback?: WriteCallback): this {
    this.markMoved();
    if (chunk === undefined) return typeof encoding === 'function' ? super.end(encoding) : super.end(callback);
    if (typeof chunk === 'function') return super.end(chunk);
    if (typeof encoding === 'function') return super.end(chunk, encoding);
    return super.end(chunk, encoding, callback);
  }
}
