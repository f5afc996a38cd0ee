// HPACK (RFC 7541) for the lean HTTP/2 path (http2-lean.ts): a decoder for the response
// header blocks, with the static and dynamic tables and Huffman-coded strings, and the
// request's encoding, done once per connection as literals without indexing (the dynamic
// table is never used on the send side, so the server's HEADER_TABLE_SIZE does not matter).
import { HpackError } from './hpack-error.js';
import { huffmanDecode } from './hpack-huffman.js';

// prettier-ignore
const staticTable: readonly (readonly [string, string])[] = [
  [':authority', ''], [':method', 'GET'], [':method', 'POST'], [':path', '/'], [':path', '/index.html'],
  [':scheme', 'http'], [':scheme', 'https'], [':status', '200'], [':status', '204'], [':status', '206'],
  [':status', '304'], [':status', '400'], [':status', '404'], [':status', '500'], ['accept-charset', ''],
  ['accept-encoding', 'gzip, deflate'], ['accept-language', ''], ['accept-ranges', ''], ['accept', ''],
  ['access-control-allow-origin', ''], ['age', ''], ['allow', ''], ['authorization', ''], ['cache-control', ''],
  ['content-disposition', ''], ['content-encoding', ''], ['content-language', ''], ['content-length', ''],
  ['content-location', ''], ['content-range', ''], ['content-type', ''], ['cookie', ''], ['date', ''], ['etag', ''],
  ['expect', ''], ['expires', ''], ['from', ''], ['host', ''], ['if-match', ''], ['if-modified-since', ''],
  ['if-none-match', ''], ['if-range', ''], ['if-unmodified-since', ''], ['last-modified', ''], ['link', ''],
  ['location', ''], ['max-forwards', ''], ['proxy-authenticate', ''], ['proxy-authorization', ''], ['range', ''],
  ['referer', ''], ['refresh', ''], ['retry-after', ''], ['server', ''], ['set-cookie', ''],
  ['strict-transport-security', ''], ['transfer-encoding', ''], ['user-agent', ''], ['vary', ''], ['via', ''],
  ['www-authenticate', ''],
];

/** An entry's size counts 32 octets of overhead besides its name and value (section 4.1). */
const entryOverhead = 32;

/** Receives each decoded field of a block, in order. */
export type FieldSink = (name: string, value: string) => void;

export class HpackDecoder {
  /** Newest first: dynamic index 62 is entries[0]. */
  private readonly entries: [string, string][] = [];
  private size = 0;
  private maxSize: number;
  private at = 0;

  /** `limit`: the SETTINGS_HEADER_TABLE_SIZE this side announced (4,096 unless it sent another). */
  constructor(private readonly limit = 4096) {
    this.maxSize = limit;
  }

  /** The dynamic table, newest first, with its size: what the RFC's examples show after each block. */
  table(): { entries: readonly (readonly [string, string])[]; size: number } {
    return { entries: this.entries, size: this.size };
  }

  /** Decodes a whole header block; throws HpackError, after which the connection must end. */
  decode(block: Uint8Array, sink: FieldSink): void {
    this.at = 0;
    let fieldsSeen = false;
    while (this.at < block.length) {
      const first = block[this.at]!;
      if (first & 0x80) {
        const [name, value] = this.entry(this.integer(block, 7));
        sink(name, value);
      } else if (first & 0x40) {
        const field = this.literal(block, 6);
        this.insert(field[0], field[1]);
        sink(field[0], field[1]);
      } else if (first & 0x20) {
        // A size update comes first in a block, before any field (section 4.2).
        if (fieldsSeen) throw new HpackError('a dynamic table size update after a header field');
        const size = this.integer(block, 5);
        if (size > this.limit) throw new HpackError(`a dynamic table size update to ${size}, above the ${this.limit} allowed`);
        this.maxSize = size;
        this.evict(0);
        continue;
      } else {
        // Without indexing (0000) and never indexed (0001) read alike.
        const field = this.literal(block, 4);
        sink(field[0], field[1]);
      }
      fieldsSeen = true;
    }
  }

  private entry(index: number): readonly [string, string] {
    if (index === 0) throw new HpackError('header field index 0');
    const entry = index <= staticTable.length ? staticTable[index - 1] : this.entries[index - staticTable.length - 1];
    if (!entry) throw new HpackError(`header field index ${index} is past the tables`);
    return entry;
  }

  private literal(block: Uint8Array, prefix: number): [string, string] {
    const index = this.integer(block, prefix);
    const name = index === 0 ? this.string(block) : this.entry(index)[0];
    return [name, this.string(block)];
  }

  private insert(name: string, value: string): void {
    const size = name.length + value.length + entryOverhead;
    // An entry larger than the table empties it and is not added (section 4.4).
    this.evict(size);
    if (size <= this.maxSize) {
      this.entries.unshift([name, value]);
      this.size += size;
    }
  }

  private evict(room: number): void {
    while (this.size + room > this.maxSize && this.entries.length > 0) {
      const [name, value] = this.entries.pop()!;
      this.size -= name.length + value.length + entryOverhead;
    }
  }

  /** An integer with an N-bit prefix (section 5.1). */
  private integer(block: Uint8Array, prefix: number): number {
    const mask = (1 << prefix) - 1;
    let value = block[this.at++]! & mask;
    if (value < mask) return value;
    for (let shift = 0; ; shift += 7) {
      if (this.at >= block.length) throw new HpackError('an integer runs past the end of the block');
      const byte = block[this.at++]!;
      value += (byte & 0x7f) * 2 ** shift;
      if (value > 0xffffffff) throw new HpackError('an integer above 2^32');
      if ((byte & 0x80) === 0) return value;
    }
  }

  /** A string literal (section 5.2), Huffman-coded or raw; names and values are octets, read as latin1. */
  private string(block: Uint8Array): string {
    if (this.at >= block.length) throw new HpackError('a string literal runs past the end of the block');
    const huffman = (block[this.at]! & 0x80) !== 0;
    const length = this.integer(block, 7);
    const start = this.at;
    const end = start + length;
    if (end > block.length) throw new HpackError('a string literal runs past the end of the block');
    this.at = end;
    return huffman ? huffmanDecode(block, start, end) : Buffer.from(block.buffer, block.byteOffset + start, length).toString('latin1');
  }
}

/**
 * A request's header block: each field a literal without indexing (section 6.2.2), the name
 * from the static table where it is there, no Huffman. Values are sent as their UTF-8 bytes.
 */
export function encodeRequestBlock(fields: readonly (readonly [string, string])[]): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of fields) {
    const index = staticTable.findIndex(([known]) => known === name) + 1;
    parts.push(encodeInteger(index, 4, 0x00));
    if (index === 0) parts.push(encodeString(name));
    parts.push(encodeString(value));
  }
  return Buffer.concat(parts);
}

function encodeString(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  return Buffer.concat([encodeInteger(bytes.length, 7, 0x00), bytes]);
}

export function encodeInteger(value: number, prefix: number, pattern: number): Buffer {
  const mask = (1 << prefix) - 1;
  if (value < mask) return Buffer.from([pattern | value]);
  const bytes = [pattern | mask];
  let rest = value - mask;
  while (rest >= 128) {
    bytes.push((rest % 128) + 128);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}
