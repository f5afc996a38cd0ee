// The lean HTTP/1.1 driver's response parser on its own: every framing it reads (Content-
// Length, chunked with trailers, until close, no body), fed whole and one byte at a time, and
// the codes it throws for bytes that are no HTTP response.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Http1ResponseParser, ResponseParseError, type ResponseHead } from '../src/protocols/http1-response.js';

interface Parsed {
  heads: ResponseHead[];
  completed: number;
  parser: Http1ResponseParser;
}

function parserFor(): Parsed {
  const parsed: Parsed = {
    heads: [],
    completed: 0,
    parser: new Http1ResponseParser(
      (head) => parsed.heads.push({ ...head }),
      () => parsed.completed++,
    ),
  };
  return parsed;
}

/** Feeds `text` whole and byte by byte; both must give the same heads and completions. */
function parse(text: string): { heads: ResponseHead[]; completed: number } {
  const whole = parserFor();
  whole.parser.feed(Buffer.from(text, 'latin1'));
  const bytes = parserFor();
  for (const byte of Buffer.from(text, 'latin1')) bytes.parser.feed(Buffer.from([byte]));
  assert.deepEqual(bytes.heads, whole.heads, 'byte by byte as whole');
  assert.equal(bytes.completed, whole.completed, 'byte by byte as whole');
  return { heads: whole.heads, completed: whole.completed };
}

function throwsCode(text: string, code: string): void {
  const { parser } = parserFor();
  assert.throws(
    () => parser.feed(Buffer.from(text, 'latin1')),
    (error: unknown) => error instanceof ResponseParseError && error.code === code,
  );
}

describe('Http1ResponseParser', () => {
  test('Content-Length bodies, two answers back to back in one read', () => {
    const { heads, completed } = parse('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n');
    assert.equal(completed, 2);
    assert.deepEqual(
      heads.map((head) => head.status),
      [200, 404],
    );
    assert.ok(heads.every((head) => head.keepAlive && head.keepAliveHintMs === null));
  });

  test('a chunked body with extensions and trailers completes after its trailers only', () => {
    const text = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n10\r\n0123456789abcdef\r\n0\r\nX-Trailer: yes\r\nX-Other: 2\r\n\r\n';
    assert.equal(parse(text).completed, 1);
    assert.equal(parse(text.slice(0, -2)).completed, 0, 'not before the empty line ending the trailers');
  });

  test('1xx answers are skipped; 204 and 304 have no body even with a Content-Length', () => {
    const { heads, completed } = parse(
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n',
    );
    assert.equal(completed, 2);
    assert.deepEqual(
      heads.map((head) => head.status),
      [204, 304],
    );
  });

  test('Connection: close, HTTP/1.0 and the Keep-Alive hint say whether the connection stays', () => {
    assert.equal(parse('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n').heads[0]!.keepAlive, false);
    assert.equal(parse('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n').heads[0]!.keepAlive, false);
    assert.equal(parse('HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n').heads[0]!.keepAlive, true);
    assert.equal(parse('HTTP/1.1 200 OK\r\nKeep-Alive: timeout=5, max=100\r\nContent-Length: 0\r\n\r\n').heads[0]!.keepAliveHintMs, 5000);
  });

  test('a body without a length runs to the end of the connection', () => {
    const { parser, heads } = parserFor();
    let completed = 0;
    const counting = new Http1ResponseParser(
      (head) => heads.push(head),
      () => completed++,
    );
    counting.feed(Buffer.from('HTTP/1.1 200 OK\r\n\r\nsome bytes'));
    counting.feed(Buffer.from('and more'));
    assert.equal(completed, 0);
    assert.equal(heads[0]!.keepAlive, false, 'the connection ends with it');
    assert.equal(counting.end(), true);
    assert.equal(completed, 1);
    assert.equal(parser.end(), false, 'an end between answers completes nothing');
  });

  test('a reset parser forgets a half-read answer', () => {
    const { parser } = parserFor();
    parser.feed(Buffer.from('HTTP/1.1 200 OK\r\nContent-Le'));
    assert.equal(parser.idle, false);
    parser.reset();
    assert.equal(parser.idle, true);
    assert.doesNotThrow(() => parser.feed(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n')));
  });

  test('bytes that are no HTTP answer throw http_parse_error; an oversized head is undici’s overflow code', () => {
    throwsCode('garbage\r\n\r\n', 'http_parse_error');
    throwsCode('HTTP/2 200\r\n\r\n', 'http_parse_error');
    throwsCode('HTTP/1.1 200 OK\r\nno colon here\r\n\r\n', 'http_parse_error');
    throwsCode('HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n', 'http_parse_error');
    throwsCode('HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n', 'http_parse_error');
    throwsCode('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 'http_parse_error');
    throwsCode('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n', 'http_parse_error');
    throwsCode('HTTP/1.1 101 Switching Protocols\r\n\r\n', 'http_parse_error');
    throwsCode(`HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(17 * 1024)}`, 'UND_ERR_HEADERS_OVERFLOW');
  });
});
