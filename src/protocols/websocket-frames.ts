// The few pieces of RFC 6455 a held WebSocket needs without ws (websocket-hold.ts): the
// upgrade request's head and the check of the 101 that answers it, the control frames a
// client sends (masked, as a client must), and a reader of the frames the server sends.
import { createHash, randomFillSync } from 'node:crypto';

const acceptGuid = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** What Sec-WebSocket-Accept must say for `key`. */
export function acceptFor(key: string): string {
  return createHash('sha1')
    .update(key + acceptGuid)
    .digest('base64');
}

/** A fresh Sec-WebSocket-Key: 16 random bytes, base64. */
export function newKey(): string {
  return randomFillSync(Buffer.alloc(16)).toString('base64');
}

/** Headers the upgrade itself sets: a scenario's `websocket.headers` cannot replace them. */
const upgradeHeaders = new Set(['connection', 'upgrade', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-extensions']);

/**
 * The upgrade request without its key line: `GET`, Host (unless the scenario's headers name
 * one), the upgrade headers, the offered subprotocols and the scenario's headers.
 */
export function upgradeHead(url: URL, subprotocols: readonly string[], headers: Record<string, string>): string {
  const names = Object.keys(headers).map((name) => name.toLowerCase());
  let head = `GET ${url.pathname}${url.search} HTTP/1.1\r\n`;
  if (!names.includes('host')) head += `Host: ${url.host}\r\n`;
  head += 'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n';
  if (subprotocols.length > 0) head += `Sec-WebSocket-Protocol: ${subprotocols.join(',')}\r\n`;
  for (const [name, value] of Object.entries(headers)) if (!upgradeHeaders.has(name.toLowerCase())) head += `${name}: ${value}\r\n`;
  return head;
}

/** The end of a response head in `data`, or -1 while it is incomplete. */
export function headEnd(data: Buffer): number {
  return data.indexOf('\r\n\r\n', 0, 'latin1');
}

/**
 * Checks the response head to an upgrade sent with `key`: null when it is a valid 101, else
 * the error code ws gives the same answer (`ws_http_503`, `protocol_error`,
 * `ws_subprotocol_mismatch`), so both paths count a misbehaving target alike.
 */
export function checkUpgrade(head: string, key: string, subprotocols: readonly string[]): string | null {
  const lines = head.split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
  if (!status) return 'protocol_error';
  if (status[1] !== '101') return `ws_http_${Number(status[1])}`;
  const fields = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  if (fields.get('upgrade')?.toLowerCase() !== 'websocket') return 'protocol_error';
  if (fields.get('sec-websocket-accept') !== acceptFor(key)) return 'protocol_error';
  // Nothing was offered, so an extension in the answer is one this client cannot speak.
  if (fields.has('sec-websocket-extensions')) return 'protocol_error';
  const chosen = fields.get('sec-websocket-protocol');
  if (chosen === undefined ? subprotocols.length > 0 : !subprotocols.includes(chosen)) return 'ws_subprotocol_mismatch';
  return null;
}

/** A masked control frame of `opcode` carrying `payload` (at most 125 bytes). */
function controlFrame(opcode: number, payload: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(6 + payload.length);
  frame[0] = 0x80 | opcode;
  frame[1] = 0x80 | payload.length;
  randomFillSync(frame, 2, 4);
  for (let i = 0; i < payload.length; i++) frame[6 + i] = payload[i]! ^ frame[2 + (i & 3)]!;
  return frame;
}

const empty = Buffer.alloc(0);
export const pingFrame = (): Buffer => controlFrame(0x9, empty);
export const pongFrame = (payload: Buffer): Buffer => controlFrame(0xa, payload);

/** A close frame with `code`, or without a body for 1005 (the peer's close had no code). */
export function closeFrame(code: number): Buffer {
  if (code === 1005) return controlFrame(0x8, empty);
  const body = Buffer.alloc(2);
  body.writeUInt16BE(code);
  return controlFrame(0x8, body);
}

/** What a reader is told about the frames it reads. */
export interface FrameEvents {
  pingReceived(payload: Buffer): void;
  pongReceived(): void;
  /** `code` is 1005 when the close frame had none. */
  closeReceived(code: number): void;
  /** A whole data message arrived (its last frame). */
  messageReceived(): void;
  /** A frame no server may send (reserved bits or opcodes, a long control frame): ws closes with 1002. */
  invalidFrame(): void;
}

/**
 * Reads the frames in `data` after `rest` (the incomplete frame left last time) and returns
 * what is left incomplete now (a copy, so a held connection never keeps the socket's read
 * buffer). Data payloads are never kept: `skip` says how many bytes of the current one are
 * still to come, and is returned with the rest.
 */
export function readFrames(data: Buffer, rest: Buffer | undefined, skip: number, events: FrameEvents): { rest: Buffer | undefined; skip: number } {
  let buffer = rest ? Buffer.concat([rest, data]) : data;
  if (skip > 0) {
    if (buffer.length <= skip) return { rest: undefined, skip: skip - buffer.length };
    buffer = buffer.subarray(skip);
  }
  let at = 0;
  while (buffer.length - at >= 2) {
    const first = buffer[at]!;
    const second = buffer[at + 1]!;
    const opcode = first & 0x0f;
    const control = opcode >= 0x8;
    let length = second & 0x7f;
    let header = 2;
    if ((first & 0x70) !== 0 || (opcode > 0x2 && opcode < 0x8) || opcode > 0xa || (control && (length > 125 || (first & 0x80) === 0))) {
      events.invalidFrame();
      return { rest: undefined, skip: 0 };
    }
    if (length === 126) {
      if (buffer.length - at < 4) break;
      length = buffer.readUInt16BE(at + 2);
      header = 4;
    } else if (length === 127) {
      if (buffer.length - at < 10) break;
      length = buffer.readUInt32BE(at + 2) * 2 ** 32 + buffer.readUInt32BE(at + 6);
      header = 10;
    }
    const masked = (second & 0x80) !== 0;
    if (masked) header += 4;
    if (buffer.length - at < header) break;
    if (control) {
      if (buffer.length - at < header + length) break;
      const payload = Buffer.from(buffer.subarray(at + header, at + header + length));
      if (masked) for (let i = 0; i < payload.length; i++) payload[i]! ^= buffer[at + header - 4 + (i & 3)]!;
      at += header + length;
      if (opcode === 0x9) events.pingReceived(payload);
      else if (opcode === 0xa) events.pongReceived();
      else {
        events.closeReceived(payload.length >= 2 ? payload.readUInt16BE(0) : 1005);
        return { rest: undefined, skip: 0 };
      }
      continue;
    }
    if ((first & 0x80) !== 0) events.messageReceived();
    const available = buffer.length - at - header;
    if (available < length) return { rest: undefined, skip: length - available };
    at += header + length;
  }
  return { rest: at < buffer.length ? Buffer.from(buffer.subarray(at)) : undefined, skip: 0 };
}
