// Child process: the floor of an HTTP/2 client written in JavaScript at all. It speaks h2c
// itself over net.Socket, with none of node:http2: HEADERS frames encoded once (HPACK static
// table entries and one literal authority) and only the stream id written per request, and
// only the frames a GET needs read back (SETTINGS and PING acknowledged, the connection's
// receive window topped up, the :status of a response taken from HPACK's static table, the
// END_STREAM flag). Each request's start is timed and its latency recorded in a counts array,
// as any load generator does. What it sends on each socket is written once per chunk read, as
// h2load writes once per event-loop turn. Same input and output as the node:http2 loop
// (h2-bare-client.ts), so the bench compares them side by side with h2load.
// Usage: node h2-raw-client.js '{"url":"http://127.0.0.1:8080/","connections":4,"streams":16,"durationMs":4000,"warmupMs":1000}'
import net from 'node:net';
import type { H2BareInput, H2BareOutput } from './h2-bare-client.js';
import { measureWindow } from './measured-window.js';

const frameHeaderBytes = 9;
const frameData = 0x0;
const frameHeaders = 0x1;
const frameRstStream = 0x3;
const frameSettings = 0x4;
const framePing = 0x6;
const frameGoaway = 0x7;
const flagEndStream = 0x1;
const flagAck = 0x1;
const settingsMaxConcurrentStreams = 0x3;
/** The receive window of the connection is topped up once this much of it is used. */
const windowRefillBytes = 1 << 20;
/** HPACK static table indices 8..14 are `:status` 200, 204, 206, 304, 400, 404, 500 (RFC 7541 appendix A). */
const staticStatuses = [200, 204, 206, 304, 400, 404, 500];

const input = JSON.parse(process.argv[2] ?? '') as H2BareInput;
const url = new URL(input.url);

function frameHeader(length: number, type: number, flags: number, streamId: number): Buffer {
  const header = Buffer.alloc(frameHeaderBytes);
  header.writeUIntBE(length, 0, 3);
  header[3] = type;
  header[4] = flags;
  header.writeUInt32BE(streamId, 5);
  return header;
}

/** :method GET, :scheme http, :path (literal unless "/"), :authority literal, without indexing. */
function headerBlock(): Buffer {
  const literal = (nameIndex: number, value: string): Buffer => {
    const bytes = Buffer.from(value, 'latin1');
    if (bytes.length > 126) throw new Error('raw h2 client: header value too long');
    return Buffer.concat([Buffer.from([nameIndex, bytes.length]), bytes]);
  };
  const path = url.pathname + url.search;
  return Buffer.concat([Buffer.from([0x82, 0x86]), path === '/' ? Buffer.from([0x84]) : literal(4, path), literal(1, url.host)]);
}

const block = headerBlock();
/** One HEADERS frame (END_STREAM | END_HEADERS); only its stream id changes per request. */
const requestFrame = Buffer.concat([frameHeader(block.length, frameHeaders, flagEndStream | 0x4, 0), block]);
const settingsAck = frameHeader(0, frameSettings, flagAck, 0);
// Latency counts per 10 µs up to 1 s, the last slot holding everything slower.
const latencies = new Uint32Array(100_001);
let requests = 0;
let errors = 0;
let sending = true;

class Connection {
  private readonly socket: net.Socket;
  private pending: Buffer = Buffer.alloc(0);
  private nextStreamId = 1;
  private limit = 0;
  private unacknowledgedBytes = 0;
  /** Start time of each open stream, by (stream id >> 1) modulo its size: negated once its status failed, 0 once done. */
  private readonly startedAt = new Float64Array(4096);
  private out: Buffer[] = [];

  constructor(
    private readonly streams: number,
    ready: () => void,
  ) {
    this.socket = net.connect(Number(url.port), url.hostname);
    this.socket.setNoDelay(true);
    this.socket.on('error', () => errors++);
    // Preface, then our SETTINGS (empty: defaults) and a connection window far above the default 64 KiB.
    const windowUpdate = Buffer.concat([frameHeader(4, 0x8, 0, 0), Buffer.from([0, 0xf0, 0, 0])]);
    this.socket.write(Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1'), frameHeader(0, frameSettings, 0, 0), windowUpdate]));
    let announced = false;
    this.socket.on('data', (chunk: Buffer) => {
      this.read(chunk);
      if (!announced && this.limit > 0) {
        announced = true;
        ready();
      }
      this.flush();
    });
  }

  start(): void {
    for (let i = 0; i < Math.min(this.streams, this.limit); i++) this.request();
    this.flush();
  }

  close(): void {
    this.socket.destroy();
  }

  private request(): void {
    if (!sending) return;
    const id = this.nextStreamId;
    this.nextStreamId += 2;
    const frame = Buffer.allocUnsafe(requestFrame.length);
    requestFrame.copy(frame);
    frame.writeUInt32BE(id, 5);
    this.out.push(frame);
    this.startedAt[(id >> 1) & 4095] = performance.now();
  }

  private flush(): void {
    if (this.out.length === 0) return;
    this.socket.write(this.out.length === 1 ? this.out[0]! : Buffer.concat(this.out));
    this.out = [];
  }

  private read(chunk: Buffer): void {
    let data = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    let at = 0;
    while (data.length - at >= frameHeaderBytes) {
      const length = data.readUIntBE(at, 3);
      if (data.length - at < frameHeaderBytes + length) break;
      const type = data[at + 3]!;
      const flags = data[at + 4]!;
      const streamId = data.readUInt32BE(at + 5) & 0x7fffffff;
      this.frame(type, flags, streamId, data, at + frameHeaderBytes, length);
      at += frameHeaderBytes + length;
    }
    data = data.subarray(at);
    this.pending = data.length > 0 ? Buffer.from(data) : Buffer.alloc(0);
  }

  private frame(type: number, flags: number, streamId: number, data: Buffer, payload: number, length: number): void {
    switch (type) {
      case frameData:
        this.unacknowledgedBytes += length;
        if (this.unacknowledgedBytes >= windowRefillBytes) {
          const update = Buffer.concat([frameHeader(4, 0x8, 0, 0), Buffer.alloc(4)]);
          update.writeUInt32BE(this.unacknowledgedBytes, frameHeaderBytes);
          this.out.push(update);
          this.unacknowledgedBytes = 0;
        }
        if (flags & flagEndStream) this.complete(streamId);
        break;
      case frameHeaders:
        if (!this.okStatus(flags, data, payload)) this.fail(streamId);
        if (flags & flagEndStream) this.complete(streamId);
        break;
      case frameRstStream:
        this.fail(streamId);
        this.complete(streamId);
        break;
      case frameSettings:
        if (flags & flagAck) break;
        for (let at = payload; at + 6 <= payload + length; at += 6) {
          if (data.readUInt16BE(at) === settingsMaxConcurrentStreams) this.limit = data.readUInt32BE(at + 2);
        }
        this.limit ||= this.streams;
        this.out.push(settingsAck);
        break;
      case framePing:
        if (!(flags & flagAck)) this.out.push(Buffer.concat([frameHeader(8, framePing, flagAck, 0), data.subarray(payload, payload + 8)]));
        break;
      case frameGoaway:
        errors++;
        sending = false;
        break;
    }
  }

  /** A 2xx :status, read as the first field of the block (after any dynamic table size update). */
  private okStatus(flags: number, data: Buffer, payload: number): boolean {
    let at = payload + (flags & 0x8 ? 1 + data[payload]! : 0) + (flags & 0x20 ? 5 : 0);
    while ((data[at]! & 0xe0) === 0x20) at++;
    const first = data[at]!;
    const status = first & 0x80 ? staticStatuses[(first & 0x7f) - 8] : undefined;
    return status !== undefined && status < 300;
  }

  private fail(streamId: number): void {
    const slot = (streamId >> 1) & 4095;
    this.startedAt[slot] = -Math.abs(this.startedAt[slot]!);
  }

  private complete(streamId: number): void {
    const slot = (streamId >> 1) & 4095;
    const started = this.startedAt[slot]!;
    if (streamId === 0 || streamId >= this.nextStreamId || started === 0) return;
    this.startedAt[slot] = 0;
    const micros = (performance.now() - Math.abs(started)) * 1000;
    latencies[Math.min(Math.floor(micros / 10), latencies.length - 1)]!++;
    if (started > 0) requests++;
    else errors++;
    this.request();
  }
}

const connections: Connection[] = [];
await Promise.all(
  Array.from(
    { length: input.connections },
    () =>
      new Promise<void>((resolve) => {
        connections.push(new Connection(input.streams, resolve));
      }),
  ),
);
for (const connection of connections) connection.start();
const measured = await measureWindow(input, () => (requests = 0));
const output: H2BareOutput = { requests, ...measured, errors };

sending = false;
for (const connection of connections) connection.close();
console.log(JSON.stringify(output));
