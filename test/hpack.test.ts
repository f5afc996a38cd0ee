// HPACK for the lean HTTP/2 path: the decoder against RFC 7541 Appendix C (integers, each
// field representation, the request and response sequences with and without Huffman coding,
// dynamic table eviction at a 256-byte table), the Huffman code against Appendix B, and the
// malformed input a decoder must refuse.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HpackDecoder, encodeInteger, encodeRequestBlock } from '../src/protocols/hpack.js';
import { HpackError } from '../src/protocols/hpack-error.js';
import { huffmanCodeLengths, huffmanCodes, huffmanDecode } from '../src/protocols/hpack-huffman.js';

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');

function decode(decoder: HpackDecoder, block: Buffer): string[] {
  const fields: string[] = [];
  decoder.decode(block, (name, value) => fields.push(`${name}: ${value}`));
  return fields;
}

function table(decoder: HpackDecoder): { entries: string[]; size: number } {
  const { entries, size } = decoder.table();
  return { entries: entries.map(([name, value]) => `${name}: ${value}`), size };
}

test('C.1: integers with a 5-bit prefix and on a whole octet', () => {
  assert.deepEqual([...encodeInteger(10, 5, 0)], [0x0a]);
  assert.deepEqual([...encodeInteger(1337, 5, 0)], [0x1f, 0x9a, 0x0a]);
  assert.deepEqual([...encodeInteger(42, 8, 0)], [0x2a]);
  // Read back as a dynamic table size update (a 5-bit prefix): 1337 is allowed under a limit of 1337, not 1336.
  assert.doesNotThrow(() => new HpackDecoder(1337).decode(Buffer.from([0x3f, 0x9a, 0x0a]), () => {}));
  assert.throws(() => new HpackDecoder(1336).decode(Buffer.from([0x3f, 0x9a, 0x0a]), () => {}), /update to 1337, above the 1336/);
});

test('C.2: literal with indexing, without indexing, never indexed, and indexed', () => {
  const decoder = new HpackDecoder();
  assert.deepEqual(decode(decoder, hex('400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572')), ['custom-key: custom-header']);
  assert.deepEqual(table(decoder), { entries: ['custom-key: custom-header'], size: 55 });
  const plain = new HpackDecoder();
  assert.deepEqual(decode(plain, hex('040c 2f73 616d 706c 652f 7061 7468')), [':path: /sample/path']);
  assert.deepEqual(decode(plain, hex('1008 7061 7373 776f 7264 0673 6563 7265 74')), ['password: secret']);
  assert.deepEqual(decode(plain, hex('82')), [':method: GET']);
  assert.deepEqual(table(plain), { entries: [], size: 0 });
});

const requests = [
  [':method: GET', ':scheme: http', ':path: /', ':authority: www.example.com'],
  [':method: GET', ':scheme: http', ':path: /', ':authority: www.example.com', 'cache-control: no-cache'],
];

test('C.3: requests without Huffman coding share one dynamic table', () => {
  const decoder = new HpackDecoder();
  assert.deepEqual(decode(decoder, hex('8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d')), requests[0]);
  assert.deepEqual(table(decoder), { entries: [':authority: www.example.com'], size: 57 });
  assert.deepEqual(decode(decoder, hex('8286 84be 5808 6e6f 2d63 6163 6865')), requests[1]);
  assert.deepEqual(table(decoder), { entries: ['cache-control: no-cache', ':authority: www.example.com'], size: 110 });
  assert.deepEqual(decode(decoder, hex('8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65')), [
    ':method: GET',
    ':scheme: https',
    ':path: /index.html',
    ':authority: www.example.com',
    'custom-key: custom-value',
  ]);
  assert.deepEqual(table(decoder).size, 164);
});

test('C.4: requests with Huffman coding', () => {
  const decoder = new HpackDecoder();
  assert.deepEqual(decode(decoder, hex('8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff')), requests[0]);
  assert.deepEqual(decode(decoder, hex('8286 84be 5886 a8eb 1064 9cbf')), requests[1]);
  assert.deepEqual(table(decoder), { entries: ['cache-control: no-cache', ':authority: www.example.com'], size: 110 });
});

const date21 = 'date: Mon, 21 Oct 2013 20:13:21 GMT';
const location = 'location: https://www.example.com';
const responses = [
  [':status: 302', 'cache-control: private', date21, location],
  [':status: 307', 'cache-control: private', date21, location],
  [
    ':status: 200',
    'cache-control: private',
    'date: Mon, 21 Oct 2013 20:13:22 GMT',
    location,
    'content-encoding: gzip',
    'set-cookie: foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1',
  ],
];
const tablesAfter = [
  { entries: [location, date21, 'cache-control: private', ':status: 302'], size: 222 },
  { entries: [':status: 307', location, date21, 'cache-control: private'], size: 222 },
  {
    entries: ['set-cookie: foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1', 'content-encoding: gzip', 'date: Mon, 21 Oct 2013 20:13:22 GMT'],
    size: 215,
  },
];

function literal(prefix: number, value: string): string {
  return Buffer.concat([Buffer.from([prefix, value.length]), Buffer.from(value, 'latin1')]).toString('hex');
}

test('C.5: responses without Huffman coding, a 256-byte table evicting entries', () => {
  const decoder = new HpackDecoder(256);
  const first = literal(0x48, '302') + literal(0x58, 'private') + literal(0x61, 'Mon, 21 Oct 2013 20:13:21 GMT') + literal(0x6e, 'https://www.example.com');
  const third =
    '88c1' +
    literal(0x61, 'Mon, 21 Oct 2013 20:13:22 GMT') +
    'c0' +
    literal(0x5a, 'gzip') +
    literal(0x77, 'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1');
  [first, '4803 3330 37c1 c0bf', third].forEach((block, i) => {
    assert.deepEqual(decode(decoder, hex(block)), responses[i], `response ${i + 1}`);
    assert.deepEqual(table(decoder), tablesAfter[i], `table after response ${i + 1}`);
  });
});

test('C.6: responses with Huffman coding, the same evictions', () => {
  const decoder = new HpackDecoder(256);
  const blocks = [
    '4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3',
    '4883 640e ffc1 c0bf',
    '88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab 77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07',
  ];
  blocks.forEach((block, i) => {
    assert.deepEqual(decode(decoder, hex(block)), responses[i], `response ${i + 1}`);
    assert.deepEqual(table(decoder), tablesAfter[i], `table after response ${i + 1}`);
  });
});

test('the Huffman code derived from the lengths is Appendix B, code for code', () => {
  // A sample of Appendix B's hex column across every length and range of symbols.
  const appendixB: Record<number, number> = {
    0: 0x1ff8,
    1: 0x7fffd8,
    9: 0xffffea,
    10: 0x3ffffffc,
    22: 0x3ffffffe,
    32: 0x14,
    36: 0x1ff9,
    47: 0x18,
    48: 0x0,
    58: 0x5c,
    60: 0x7ffc,
    88: 0xfc,
    92: 0x7fff0,
    97: 0x3,
    122: 0x7b,
    126: 0x1ffd,
    127: 0xffffffc,
    128: 0xfffe6,
    153: 0x1fffdc,
    192: 0x3ffffe0,
    199: 0x1ffffec,
    203: 0x7ffffde,
    220: 0xffffffd,
    249: 0xffffffe,
    254: 0x7fffff0,
    255: 0x3ffffee,
    256: 0x3fffffff,
  };
  for (const [symbol, code] of Object.entries(appendixB)) assert.equal(huffmanCodes[Number(symbol)], code, `symbol ${symbol}`);
});

test('Huffman decoding: every octet round-trips, and malformed padding or EOS is refused', () => {
  // All 256 octets coded with the derived code, padded with ones, decode back to themselves.
  let stream = '';
  for (let symbol = 0; symbol < 256; symbol++) stream += huffmanCodes[symbol]!.toString(2).padStart(huffmanCodeLengths[symbol]!, '0');
  stream += '1'.repeat((8 - (stream.length % 8)) % 8);
  const bytes = Buffer.from(stream.match(/.{8}/g)!.map((byte) => parseInt(byte, 2)));
  assert.deepEqual(
    [...Buffer.from(huffmanDecode(bytes, 0, bytes.length), 'latin1')],
    Array.from({ length: 256 }, (_, i) => i),
  );
  assert.equal(huffmanDecode(hex('f1e3 c2e5 f23a 6ba0 ab90 f4ff'), 0, 12), 'www.example.com');
  assert.equal(huffmanDecode(Buffer.alloc(0), 0, 0), '');
  // 'a' (00011) padded with zeros rather than ones.
  assert.throws(() => huffmanDecode(Buffer.from([0b00011000]), 0, 1), HpackError);
  // 'a' then 11 bits of ones: padding longer than 7 bits.
  assert.throws(() => huffmanDecode(Buffer.from([0b00011111, 0xff]), 0, 2), HpackError);
  // EOS itself (30 ones) inside the string.
  assert.throws(() => huffmanDecode(Buffer.from([0xff, 0xff, 0xff, 0xff]), 0, 4), HpackError);
});

test('malformed blocks are compression errors: index 0, a size update too large or after a field, a string past the end', () => {
  assert.throws(() => new HpackDecoder().decode(hex('80'), () => {}), HpackError);
  assert.throws(() => new HpackDecoder().decode(hex('3fe21f'), () => {}), /size update/);
  assert.throws(() => new HpackDecoder().decode(hex('82 20'), () => {}), /after a header field/);
  assert.throws(() => new HpackDecoder().decode(hex('040c 2f73'), () => {}), /past the end/);
  // A size update to 0 empties the table.
  const decoder = new HpackDecoder();
  decode(decoder, hex('400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572'));
  decode(decoder, hex('20 82'));
  assert.deepEqual(table(decoder), { entries: [], size: 0 });
});

test('a request block encoded once reads back as the same fields', () => {
  const fields: [string, string][] = [
    [':method', 'GET'],
    [':scheme', 'http'],
    [':path', '/a/path?q=1'],
    [':authority', '127.0.0.1:8080'],
    ['x-token', 'v'.repeat(300)],
  ];
  assert.deepEqual(
    decode(new HpackDecoder(), encodeRequestBlock(fields)),
    fields.map(([name, value]) => `${name}: ${value}`),
  );
});
