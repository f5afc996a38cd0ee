// The built-in target never throws on a request: malformed request lines, paths, headers,
// upgrade keys and versions, on its HTTP and upgrade paths, random and hand-picked. It runs
// in its own process (as in a run): after the fuzzing it must still answer, counting.
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { Client } from 'undici';
import { defaults } from '../src/scenario/defaults.js';
import { spawnTarget } from '../src/target/spawn.js';

/** Sends `bytes` on a fresh connection and reads until the target closes it or 300 ms pass. */
function exchange(port: number, bytes: Buffer | string): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let answer = '';
    const done = (): void => {
      socket.destroy();
      resolve(answer);
    };
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('error', done);
    socket.on('close', done);
    socket.setTimeout(300, done);
    socket.on('connect', () => socket.end(bytes));
  });
}

const key = 'dGhlIHNhbXBsZSBub25jZQ==';
const upgrade = (path: string, headers: string[] = [`Sec-WebSocket-Key: ${key}`, 'Sec-WebSocket-Version: 13']): string =>
  [`GET ${path} HTTP/1.1`, 'Host: t', 'Connection: Upgrade', 'Upgrade: websocket', ...headers, '', ''].join('\r\n');
const get = (path: string, headers: string[] = []): string => [`GET ${path} HTTP/1.1`, 'Host: t', ...headers, '', ''].join('\r\n');

const paths = [
  '//',
  '///',
  '//@',
  '//a:b@',
  '//[',
  '//[::1',
  '/%',
  '/%zz',
  '/\\\\',
  '*',
  'http://',
  'http://[',
  '//x/poll',
  '/poll?since=abc',
  '/poll?since=-1',
  '/poll?since=1e400',
  '/longpoll?since=%ff',
  '/sse',
  '/sse?x',
  '/events',
  '/ws',
  '/ws/../..',
  `/${'a'.repeat(70_000)}`,
  '/\u00ff\u00fe',
  '?',
  '#',
  '',
];
const handPicked: string[] = [
  ...paths.map((path) => upgrade(path)),
  ...paths.map((path) => get(path)),
  ...paths.map((path) => upgrade(path.replace('/ws', '/events'))),
  upgrade('/ws', []),
  upgrade('/ws', ['Sec-WebSocket-Key: short', 'Sec-WebSocket-Version: 13']),
  upgrade('/ws', [`Sec-WebSocket-Key: ${key}`, 'Sec-WebSocket-Version: 99']),
  upgrade('/ws', [`Sec-WebSocket-Key: ${key}`, 'Sec-WebSocket-Version: abc']),
  upgrade('/ws', [`Sec-WebSocket-Key: ${key}`, 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=99']),
  upgrade('/events', [`Sec-WebSocket-Key: ${key}`, 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Protocol: ,,,']),
  get('/sse', ['Last-Event-ID: \u00ff\u00ff', 'Accept: text/event-stream']),
  get('/', ['Content-Length: 5', 'Content-Length: 6']),
  get('/', ['Transfer-Encoding: chunked', 'Content-Length: 3']),
  'POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nxx\r\n',
  'GET / HTTP/9.9\r\n\r\n',
  'GET / HTTP/1.1\r\nno colon here\r\n\r\n',
  'GET\r\n\r\n',
  ' / HTTP/1.1\r\n\r\n',
  'GET /\u0000 HTTP/1.1\r\n\r\n',
  `GET / HTTP/1.1\r\nX: ${'v'.repeat(20_000)}\r\n\r\n`,
  'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
  '\u0016\u0003\u0001\u0000\u00a5\u0001\u0000',
];

/** A deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const pieces = [
  'GET',
  'POST',
  'OPTIONS',
  ' ',
  '/',
  '//',
  '/ws',
  '/events',
  '/poll',
  '/sse',
  '?since=',
  '%',
  '@',
  ':',
  '[',
  '\r\n',
  'HTTP/1.1',
  'HTTP/1.0',
  'Upgrade: websocket',
  'Connection: Upgrade',
  `Sec-WebSocket-Key: ${key}`,
  'Sec-WebSocket-Version: 13',
  'Host: t',
  'Content-Length: 2',
  '\u0000',
  '\u00ff',
  'x',
];

function randomRequests(count: number, seed: number): string[] {
  const next = random(seed);
  return Array.from({ length: count }, () => {
    const head = Array.from({ length: 3 + Math.floor(next() * 20) }, () => pieces[Math.floor(next() * pieces.length)]!).join('');
    // Most start like a request, so the fuzz reaches the handlers past Node's parser.
    return next() < 0.7 ? `GET ${head}\r\n\r\n` : next() < 0.5 ? upgrade(head) : head;
  });
}

test('the built-in target survives malformed requests and upgrades of every kind, and still answers', async () => {
  const target = await spawnTarget({ settings: { ...defaults.server, eventRate: 100 } });
  const port = Number(new URL(target.url).port);
  try {
    const requests = [...handPicked, ...randomRequests(400, 20261130)];
    for (let i = 0; i < requests.length; i += 20) await Promise.all(requests.slice(i, i + 20).map((request) => exchange(port, request)));
    assert.match(await exchange(port, upgrade('//')), /^HTTP\/1\.1 400 /, 'an upgrade to // is refused, not a crash');
    const stats = await target.stats();
    assert.ok(stats.requests > 10, `requests counted: ${stats.requests}`);
    const client = new Client(target.url);
    const { statusCode, body } = await client.request({ path: '/', method: 'GET' });
    await body.text();
    await client.close();
    assert.equal(statusCode, 200);
  } finally {
    await target.stop();
  }
});
