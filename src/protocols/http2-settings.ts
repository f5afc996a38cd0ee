// A SETTINGS frame from the server (RFC 9113 section 6.5), checked: what the lean HTTP/2
// path (http2-lean-connection.ts) acts on, or a connection error for values the RFC forbids.
import { Http2ConnectionError, defaultMaxFrameSize, flag, h2Error, maxWindow, setting } from './http2-frames.js';

export interface ServerSettings {
  maxConcurrentStreams?: number;
  initialWindowSize?: number;
  maxFrameSize?: number;
}

/** The values a SETTINGS frame carries; undefined for an ack. */
export function readSettings(flags: number, streamId: number, payload: Buffer): ServerSettings | undefined {
  if (streamId !== 0) throw new Http2ConnectionError(h2Error.protocolError, 'SETTINGS on a stream');
  if (flags & flag.ack) {
    if (payload.length !== 0) throw new Http2ConnectionError(h2Error.frameSizeError, 'a SETTINGS ack with a payload');
    return undefined;
  }
  if (payload.length % 6 !== 0) throw new Http2ConnectionError(h2Error.frameSizeError, 'SETTINGS not a multiple of 6 bytes');
  const values: ServerSettings = {};
  for (let at = 0; at < payload.length; at += 6) {
    const value = payload.readUInt32BE(at + 2);
    switch (payload.readUInt16BE(at)) {
      case setting.maxConcurrentStreams:
        values.maxConcurrentStreams = value;
        break;
      case setting.initialWindowSize:
        if (value > maxWindow) throw new Http2ConnectionError(h2Error.flowControlError, 'INITIAL_WINDOW_SIZE above 2^31-1');
        values.initialWindowSize = value;
        break;
      case setting.maxFrameSize:
        if (value < defaultMaxFrameSize || value > 16_777_215) throw new Http2ConnectionError(h2Error.protocolError, `MAX_FRAME_SIZE ${value}`);
        values.maxFrameSize = value;
        break;
      case setting.enablePush:
        if (value > 1) throw new Http2ConnectionError(h2Error.protocolError, `ENABLE_PUSH ${value}`);
        break;
      default:
      // HEADER_TABLE_SIZE bounds a table the lean path never uses to send; the rest are advisory or unknown.
    }
  }
  return values;
}
