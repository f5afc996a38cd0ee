// Plain sockets handed to ws and node:http are read by callback into one buffer per thread
// and their reads copied out (socket-opener.ts `copiedReads`). What the libraries see must be
// the stream it replaces: frames right behind the 101 (which node:http gives ws back through
// unshift) in order with the next reads, a paused reader's bytes kept until it resumes, and
// every byte counted on the wire.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { Recorder } from '../src/metrics/recorder.js';
import { copiedReads, socketOpener } from '../src/protocols/socket-opener.js';
import { closerFor, listenOnFreePort } from './servers/listen.js';

const guid = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const textFrame = (text: string): Buffer => Buffer.concat([Buffer.from([0x81, text.length]), Buffer.from(text)]);

/** A plain socket from sockcap's opener, read by copiedReads, as the WebSocket drivers make it. */
function plainSocket(recorder: Recorder, port: number): net.Socket {
  const { socket } = socketOpener(recorder, undefined).open({ host: '127.0.0.1', port, onread: copiedReads(() => socket) });
  return socket;
}

test('frames in the same read as the 101 reach ws first, then the later ones, in order', { timeout: 10_000 }, async () => {
  const server = net.createServer((socket) => {
    socket.once('data', (head: Buffer) => {
      const key = /sec-websocket-key:\s*(\S+)/i.exec(head.toString('latin1'))?.[1] ?? '';
      const accept = createHash('sha1')
        .update(key + guid)
        .digest('base64');
      const upgrade = `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`;
      socket.write(Buffer.concat([Buffer.from(upgrade, 'latin1'), textFrame('one'), textFrame('two')]));
      setTimeout(() => socket.write(Buffer.concat([textFrame('three'), textFrame('four')])), 30);
      setTimeout(() => socket.write(textFrame('five')), 60);
    });
  });
  const close = closerFor(server);
  const port = await listenOnFreePort(server);
  const recorder = new Recorder();
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { createConnection: () => plainSocket(recorder, port) });
  const got: string[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      ws.on('message', (data: Buffer) => {
        got.push(data.toString());
        if (got.length === 5) resolve();
      });
      ws.on('error', reject);
    });
    assert.deepEqual(got, ['one', 'two', 'three', 'four', 'five']);
  } finally {
    ws.terminate();
    await close();
  }
});

test('a paused reader gets every byte, in order, when it resumes; the wire count is the whole answer', { timeout: 20_000 }, async () => {
  // 4 MiB of a known pattern: far more than one read and than the stream's high-water mark.
  const body = Buffer.alloc(4 * 1024 * 1024);
  for (let i = 0; i < body.length; i++) body[i] = (i * 31 + (i >> 12)) & 0xff;
  const server = http.createServer((_request, response) => response.end(body));
  const close = closerFor(server);
  const port = await listenOnFreePort(server);
  const recorder = new Recorder();
  try {
    const request = http.get({ host: '127.0.0.1', port, path: '/', createConnection: () => plainSocket(recorder, port) });
    const [response] = (await once(request, 'response')) as [http.IncomingMessage];
    const chunks: Buffer[] = [];
    let pauses = 0;
    response.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      // Pause now and then so the socket stops reading and its later bytes wait in the stream.
      if (chunks.length % 8 === 0) {
        pauses++;
        response.pause();
        setTimeout(() => response.resume(), 5);
      }
    });
    await once(response, 'end');
    const received = Buffer.concat(chunks);
    assert.ok(pauses > 0, 'the reader paused');
    assert.equal(received.length, body.length);
    assert.ok(received.equals(body), 'the same bytes in the same order');
    const socket = request.socket!;
    await sleep(10);
    assert.ok(socket.bytesRead > body.length, `bytesRead ${socket.bytesRead} counts the head and the body`);
  } finally {
    await close();
  }
});

test('bytes that arrive before anyone listens wait in the stream for the first reader', { timeout: 10_000 }, async () => {
  const server = net.createServer((socket) => socket.end('hello before you asked'));
  const close = closerFor(server);
  const port = await listenOnFreePort(server);
  const socket = plainSocket(new Recorder(), port);
  try {
    await once(socket, 'connect');
    await sleep(50);
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
    // Lost bytes would never end the stream either: give up after 5 s rather than hang.
    await Promise.race([once(socket, 'end'), sleep(5000)]);
    assert.equal(text, 'hello before you asked');
  } finally {
    socket.destroy();
    await close();
  }
});
