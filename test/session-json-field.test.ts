// A correlated reply's id is read from the message's bytes without JSON.parse: the scanner
// must give exactly what JSON.parse and fieldAt give, for every message (repeated keys,
// escapes, nesting, arrays, invalid JSON, odd numbers and bytes), and so must a match that
// reads its fields that way; and it answers by itself for the plain replies a session loop
// gets, so they are never parsed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { fieldAt } from '../src/protocols/event-json.js';
import { FieldScanner, unsure } from '../src/protocols/session/json-field.js';
import { Incoming, compileJsonMatch, fieldPath, same } from '../src/protocols/session/match.js';
import { SessionVars } from '../src/protocols/session/vars.js';

function parsed(bytes: Buffer, dotted: string): unknown {
  try {
    return fieldAt(JSON.parse(bytes.toString()) as unknown, dotted.split('.'));
  } catch {
    return undefined;
  }
}

const read = (bytes: Buffer, dotted: string): unknown => new Incoming().reset(bytes).field(fieldPath(dotted));

const cases: [string | Buffer, string][] = [
  ['{"id":5,"result":5}', 'id'],
  ['{"id":"5"}', 'id'],
  [' { "id" : 12345 , "pad":"aaaaaaaaaa" } \n', 'id'],
  ['{"id":1}\t\r\n', 'id'],
  ['{"id":1,"id":2}', 'id'],
  ['{"a":{"id":1},"a":{"x":2}}', 'a.id'],
  ['{"a":{"id":1},"a":5}', 'a.id'],
  ['{"a":5,"a":{"id":1}}', 'a.id'],
  ['{"a":{"id":1,"b":{"id":2}},"id":3}', 'a.id'],
  ['{"a":{"b":{"c":true}}}', 'a.b.c'],
  ['{"a":{"b":{"c":true}}}', 'a.b'],
  ['{"a":"text"}', 'a.length'],
  ['{"a":null}', 'a.b'],
  ['{"id":null}', 'id'],
  ['{"id":false,"ok":true}', 'id'],
  ['{"id":-0}', 'id'],
  ['{"id":-0.5e+3}', 'id'],
  ['{"id":1E400}', 'id'],
  ['{"id":12345678901234567890}', 'id'],
  ['{"id":"café"}', 'id'],
  ['{"é":1}', 'é'],
  ['{"id":"a\\"b"}', 'id'],
  ['{"i\\u0064":7}', 'id'],
  ['{"id":[1,2]}', 'id'],
  ['{"id":[1,2]}', 'id.0'],
  ['{"id":[1,2]}', 'id.length'],
  ['[{"id":1}]', '0.id'],
  ['{"id":{"x":1}}', 'id'],
  ['{"__proto__":7}', '__proto__'],
  ['{"":3}', ''],
  ['{"other":[{"id":1},{"x":[[],{}]}],"id":"z"}', 'id'],
  ['{}', 'id'],
  ['5', 'id'],
  ['"id"', 'id'],
  ['{"id":1', 'id'],
  ['{"id":01}', 'id'],
  ['{"id":1.}', 'id'],
  ['{"id":.5}', 'id'],
  ['{"id":+1}', 'id'],
  ['{"id":1e}', 'id'],
  ['{"id":-}', 'id'],
  ['{"id":1,}', 'id'],
  ['{"id":1} x', 'id'],
  ['{"id":tru}', 'id'],
  ['{"id":nulll}', 'id'],
  ['{id:1}', 'id'],
  ["{'id':1}", 'id'],
  ['{"id"1}', 'id'],
  ['{"id":1 "x":2}', 'id'],
  ['{"id":"x\u0001"}', 'id'],
  ['\ufeff{"id":1}', 'id'],
  ['{"id":1}\u00a0', 'id'],
  ['', 'id'],
  ['not json', 'id'],
  [Buffer.concat([Buffer.from('{"id":"'), Buffer.from([0xff, 0xe2]), Buffer.from('"}')]), 'id'],
  [Buffer.concat([Buffer.from('{"id":"'), Buffer.from([0xe2]), Buffer.from('","x":1}')]), 'x'],
  ['{"a":'.repeat(100) + '1' + '}'.repeat(100), 'a'],
  ['{"a":'.repeat(100) + '1' + '}'.repeat(100), 'a.a.a'],
];

test('a field read from the bytes is what JSON.parse and fieldAt give', () => {
  for (const [message, dotted] of cases) {
    const bytes = Buffer.isBuffer(message) ? message : Buffer.from(message);
    assert.deepEqual(read(bytes, dotted), parsed(bytes, dotted), `${bytes.toString()} at ${dotted}`);
  }
});

/** A match as it was before fields were read unparsed: parse, then compare every listed leaf. */
function parsedMatch(match: unknown, bytes: Buffer): boolean {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString()) as unknown;
  } catch {
    return false;
  }
  const leaves = (value: unknown, path: string[]): [string[], unknown][] =>
    typeof value === 'object' && value !== null && !Array.isArray(value) && (path.length === 0 || Object.keys(value).length > 0)
      ? Object.entries(value).flatMap(([key, item]) => leaves(item, [...path, key]))
      : [[path, value]];
  return leaves(match, []).every(([path, value]) => same(fieldAt(json, path), value));
}

test('a JSON match read from the bytes matches what it matched when it parsed every message', () => {
  const matches: unknown[] = [{}, { id: 5 }, { id: '5' }, { id: null }, { id: false }, { id: [1, 2] }, { id: {} }, { a: { id: 1 } }, { id: 'café', x: 1 }, 5];
  const vars = new SessionVars(0, {});
  for (const match of matches) {
    const compiled = compileJsonMatch(match);
    for (const [message] of cases) {
      const bytes = Buffer.isBuffer(message) ? message : Buffer.from(message);
      assert.equal(compiled(new Incoming().reset(bytes), vars), parsedMatch(match, bytes), `${JSON.stringify(match)} on ${bytes.toString()}`);
    }
  }
});

test('so is every message made by changing, dropping or adding a byte of a valid one', () => {
  const seeds = [
    '{"id":12345,"pad":"aaaaaaaaaa"}',
    '{"type":"reply","id":"r-7","body":{"id":[1,{"id":2}],"n":-1.5e-3,"ok":true,"z":null}}',
    ' [ {"id" : 1} ] ',
  ];
  const alphabet = Buffer.from('{}[]":,-+.0123456789eEtrufalsn \t\\xid');
  let seed = 7;
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  for (let round = 0; round < 3000; round++) {
    const bytes = Buffer.from(seeds[round % seeds.length]!);
    const at = random(bytes.length + 1);
    const byte = alphabet[random(alphabet.length)]!;
    const changed = [
      Buffer.concat([bytes.subarray(0, at), Buffer.from([byte]), bytes.subarray(at + 1)]),
      Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]),
      Buffer.concat([bytes.subarray(0, at), Buffer.from([byte]), bytes.subarray(at)]),
    ][round % 3]!;
    for (const dotted of ['id', 'body.id', 'body.n']) {
      const field = read(changed, dotted);
      if (!isDeepStrictEqual(field, parsed(changed, dotted))) assert.deepEqual(field, parsed(changed, dotted), `${changed.toString()} at ${dotted}`);
    }
  }
});

test('a plain reply is read without parsing it', () => {
  const scanner = new FieldScanner();
  const id = fieldPath('id').bytes;
  assert.equal(scanner.read(Buffer.from('{"id":12345,"pad":"aaaaaaaaaa"}'), id), 12345);
  assert.equal(scanner.read(Buffer.from('{"type":"result","id":"c3d1-9f","result":{"sum":5},"list":[1,2]}'), id), 'c3d1-9f');
  assert.equal(scanner.read(Buffer.from('{"type":"msg","seq":3}'), id), undefined);
  assert.equal(scanner.read(Buffer.from('{"id":"a\\"b"}'), id), unsure, 'an escape is left to JSON.parse');
});
