// The agent socket.io-client speaks through counts every request and its header bytes
// exactly, through documented Node APIs only (so it holds on Node 20, 22 and 24: CI runs this
// file on 20 and 24): against a raw TCP server that measures each request head as it reads
// it, and against a socket.io server that counts the requests it was sent.
import assert from 'node:assert/strict';
import http from 'node:http';
import { createServer, type Socket } from 'node:net';
import { test } from 'node:test';
import { io } from 'socket.io-client';
import { Recorder } from '../src/metrics/recorder.js';
import { countingAgent } from '../src/protocols/counting-agent.js';
import { startSocketIoServer } from './servers/socketio-server.js';

// Written byte for byte as responseHeadBytes reconstructs a head: status line, headers, blank line.
const responseHead = 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: keep-alive\r\n\r\n';

/** A keep-alive HTTP/1.1 server on a bare socket: it records the length of every request head it reads. */
async function headMeasuringServer(): Promise<{ port: number; heads: number[]; close(): Promise<void> }> {
  const heads: number[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffered.subarray(0, end + 4).toString('latin1');
        const body = Number(/^content-length: *(\d+)/im.exec(head)?.[1] ?? 0);
        if (buffered.length < end + 4 + body) return;
        heads.push(end + 4);
        buffered = buffered.subarray(end + 4 + body);
        socket.write(`${responseHead}ok`);
      }
    });
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    heads,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function send(agent: http.Agent, port: number, method: string, body?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = http.request({
      host: '127.0.0.1',
      port,
      agent,
      method,
      path: `/poll?n=${Math.random()}`,
      headers: body ? { 'content-length': Buffer.byteLength(body) } : {},
    });
    request.on('response', (response) => response.resume().on('end', resolve));
    request.on('error', reject);
    request.end(body);
  });
}

test('every request over the agent is counted, with its head and its answer head to the byte, new sockets and reused ones alike', async () => {
  const server = await headMeasuringServer();
  const recorder = new Recorder();
  const agent = countingAgent(recorder, undefined, undefined);
  try {
    // Two at once open two sockets; the rest reuse them; POST bodies are not header bytes.
    await Promise.all([send(agent, server.port, 'GET'), send(agent, server.port, 'POST', '4{"a":1}')]);
    await send(agent, server.port, 'POST', 'x'.repeat(1000));
    await send(agent, server.port, 'GET');
    // A request through another agent is not this client's.
    await send(new http.Agent(), server.port, 'GET');
    const { counters } = recorder.takeInterval();
    assert.equal(counters.requests, 4);
    assert.equal(counters.connectionsOpened, 2);
    const sentHeads = server.heads.slice(0, 4).reduce((sum, bytes) => sum + bytes, 0);
    assert.equal(server.heads.length, 5);
    assert.equal(counters.headerBytes, sentHeads + 4 * responseHead.length);
  } finally {
    agent.destroy();
    await server.close();
  }
});

test('socket.io-client over polling and over the upgrade: the requests counted are the ones the server got', async () => {
  for (const transports of [['polling'], ['polling', 'websocket'], ['websocket']]) {
    // A server each: the last client's goodbye must not land in the next one's count.
    const server = await startSocketIoServer();
    try {
      const recorder = new Recorder();
      const socket = io(`${server.url}/chat`, {
        transports,
        auth: { token: 'letmein' },
        query: { room: 'lobby' },
        agent: countingAgent(recorder, undefined, undefined) as unknown as string,
        forceNew: true,
        reconnection: false,
      });
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      for (let i = 0; i < 3; i++) await socket.timeout(2000).emitWithAck('echo', 'hello');
      if (transports.length > 1) await new Promise((resolve) => setTimeout(resolve, 300));
      // What the client has had answered so far; a poll still held by the server is sent but not answered.
      const { counters } = recorder.takeInterval();
      const got = server.requests();
      socket.disconnect();
      const label = transports.join(', ');
      assert.ok(counters.requests >= 1, `${label}: ${counters.requests}`);
      assert.ok(got - counters.requests >= 0 && got - counters.requests <= 1, `${label}: the server got ${got}, the client counted ${counters.requests}`);
      if (transports[0] === 'polling') assert.ok(counters.requests >= 3, `${label}: every emit is a POST (${counters.requests})`);
      assert.ok(counters.headerBytes > 100 * counters.requests, `${label}: ${counters.headerBytes} header bytes`);
    } finally {
      await server.close();
    }
  }
});
