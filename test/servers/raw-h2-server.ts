// An h2c server written frame by frame, for what node:http2 never sends a client. In mode
// `conformant` it answers every request with frames the RFC allows: a 103 before the final
// headers, the final header block padded and split over HEADERS and CONTINUATION with a
// Huffman-coded value entered in the dynamic table (later answers refer to it by index),
// PRIORITY and unknown frame types, padded DATA; it announces 3 streams and a stream window
// of 1,000 bytes (given back as request bodies come), sends a PING and answers every third
// request 404. The other modes send garbage once a request came: an
// HTTP/1.1 answer, DATA on stream 0, a header block with index 0; or never a SETTINGS frame.
import net from 'node:net';
import { FrameReader, flag, frame, frameBytes, setting, settingsFrame, windowUpdateFrame } from '../../src/protocols/http2-frames.js';
import { closerFor, listenOnFreePort } from './listen.js';

export type RawH2Mode = 'conformant' | 'http1' | 'data-on-stream-0' | 'bad-hpack' | 'no-settings';

export interface RawH2Server {
  url: string;
  /** What the clients sent: acks of the server's SETTINGS and PINGs, GOAWAYs, request body bytes and DATA past a window. */
  seen: { settingsAcks: number; pingAcks: number; goaways: number; bodyBytes: number; windowViolations: number };
  close(): Promise<void>;
}

const prefaceBytes = 24;
/** A small stream window, so that a request body needs WINDOW_UPDATEs to get through. */
const streamWindowBytes = 1000;
/** 'www.example.com' Huffman-coded (RFC 7541 C.4.1). */
const servedBy = Buffer.from('f1e3c2e5f23a6ba0ab90f4ff', 'hex');

export async function startRawH2Server(mode: RawH2Mode): Promise<RawH2Server> {
  const seen = { settingsAcks: 0, pingAcks: 0, goaways: 0, bodyBytes: 0, windowViolations: 0 };
  let answered = 0;
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    let preface = Buffer.alloc(0);
    let firstBlock = true;
    // The windows this server gives a client: the connection's (65,535 by default) and each stream's (announced below).
    let connectionWindow = 65_535;
    const streamWindows = new Map<number, number>();
    const reader = new FrameReader((type, flags, streamId, payload) => {
      if (type === frame.settings && flags & flag.ack) seen.settingsAcks++;
      if (type === frame.ping && flags & flag.ack) seen.pingAcks++;
      if (type === frame.goaway) seen.goaways++;
      if (type === frame.data) {
        seen.bodyBytes += payload.length;
        connectionWindow -= payload.length;
        const streamWindow = (streamWindows.get(streamId) ?? streamWindowBytes) - payload.length;
        if (connectionWindow < 0 || streamWindow < 0) seen.windowViolations++;
        streamWindows.set(streamId, streamWindow);
        // Each DATA frame's bytes are given back at once, one window at a time.
        if (payload.length > 0) {
          connectionWindow += payload.length;
          socket.write(windowUpdateFrame(0, payload.length));
          if (!(flags & flag.endStream)) {
            streamWindows.set(streamId, streamWindow + payload.length);
            socket.write(windowUpdateFrame(streamId, payload.length));
          }
        }
      }
      // A request is answered once it ended: at its HEADERS, or at its last DATA frame.
      if (!(flags & flag.endStream) || (type !== frame.headers && type !== frame.data)) return;
      if (mode === 'http1') socket.write('HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n');
      else if (mode === 'data-on-stream-0') socket.write(frameBytes(frame.data, 0, 0, Buffer.from('x')));
      else if (mode === 'bad-hpack') socket.write(frameBytes(frame.headers, flag.endHeaders | flag.endStream, streamId, Buffer.from([0x80])));
      else if (mode === 'conformant') {
        socket.write(answer(streamId, answered++ % 3 === 2 ? 404 : 200, firstBlock));
        firstBlock = false;
      }
    }, 1 << 20);
    socket.on('data', (chunk: Buffer) => {
      if (preface.length < prefaceBytes) {
        preface = Buffer.concat([preface, chunk]);
        if (preface.length < prefaceBytes) return;
        chunk = preface.subarray(prefaceBytes);
        socket.write(opening(mode));
      }
      reader.push(chunk);
    });
  });
  const close = closerFor(server);
  const port = await listenOnFreePort(server);
  return { url: `http://127.0.0.1:${port}/`, seen, close };
}

function opening(mode: RawH2Mode): Buffer {
  const ping = frameBytes(frame.ping, 0, 0, Buffer.from('sockcap!'));
  if (mode === 'no-settings') return ping;
  const settings = settingsFrame([
    [setting.maxConcurrentStreams, 3],
    [setting.maxFrameSize, 32_768],
    [setting.headerTableSize, 4096],
    [setting.initialWindowSize, streamWindowBytes],
    [0xf0, 7],
  ]);
  return Buffer.concat([settings, frameBytes(0xfa, 0, 0, Buffer.from('an unknown frame type')), ping]);
}

/** One answer; the first on a connection enters `x-served-by` in the dynamic table, later ones use index 62. */
function answer(streamId: number, status: 200 | 404, first: boolean): Buffer {
  const informational = frameBytes(frame.headers, flag.endHeaders, streamId, Buffer.from([0x08, 0x03, ...Buffer.from('103')]));
  const statusField = status === 200 ? 0x88 : 0x8d;
  const name = Buffer.from('x-served-by');
  const block = first ? Buffer.from([statusField, 0x40, name.length, ...name, 0x80 | servedBy.length, ...servedBy]) : Buffer.from([statusField, 0xbe]);
  const half = Math.ceil(block.length / 2);
  const padding = 3;
  const headers = frameBytes(frame.headers, flag.padded, streamId, Buffer.concat([Buffer.from([padding]), block.subarray(0, half), Buffer.alloc(padding)]));
  const continuation = frameBytes(frame.continuation, flag.endHeaders, streamId, block.subarray(half));
  const priority = frameBytes(frame.priority, 0, streamId, Buffer.from([0, 0, 0, 0, 16]));
  const data = frameBytes(frame.data, flag.padded, streamId, Buffer.concat([Buffer.from([5]), Buffer.from('hello'), Buffer.alloc(5)]));
  const unknown = frameBytes(0xfb, 0, streamId, Buffer.from('ignored'));
  const end = frameBytes(frame.data, flag.endStream, streamId);
  return Buffer.concat([informational, headers, continuation, priority, data, unknown, end]);
}
