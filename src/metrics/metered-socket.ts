// A TCP socket that tells its recorder when bytes move on it, so that an interval's wire
// bytes come from the sockets that moved any, not from a read of every open socket: a hold
// of 100,000 idle connections then costs nothing per interval. Every read reaches JavaScript
// through push() and every write leaves through write() or end(): for a socket whose bytes
// JavaScript reads and writes itself, that is all of them. Under TLS (or an HTTP/2 session),
// native code moves the bytes of the TCP socket, which then stays a plain net.Socket and is
// read at every interval instead.
import { Socket } from 'node:net';

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

  constructor(private readonly meter: SocketMeter) {
    super();
  }

  override push(chunk: unknown, encoding?: BufferEncoding): boolean {
    if (this.tracked && !this.moved) this.meter.touched(this);
    return super.push(chunk, encoding);
  }

  override write(chunk: Uint8Array | string, encoding?: BufferEncoding | WriteCallback, callback?: WriteCallback): boolean {
    if (this.tracked && !this.moved) this.meter.touched(this);
    return typeof encoding === 'function' ? super.write(chunk, encoding) : super.write(chunk, encoding, callback);
  }

  override end(chunk?: Uint8Array | string | WriteCallback, encoding?: BufferEncoding | WriteCallback, callback?: WriteCallback): this {
    if (this.tracked && !this.moved) this.meter.touched(this);
    if (chunk === undefined) return typeof encoding === 'function' ? super.end(encoding) : super.end(callback);
    if (typeof chunk === 'function') return super.end(chunk);
    if (typeof encoding === 'function') return super.end(chunk, encoding);
    return super.end(chunk, encoding, callback);
  }
}
