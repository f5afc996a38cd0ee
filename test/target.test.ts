import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'undici';
import WebSocket from 'ws';
import { RunBrokenError, UsageError } from '../src/errors.js';
import type { ServerSettings } from '../src/scenario/types.js';
import { targetOptionsEnv, type ChildMessage } from '../src/target/messages.js';
import { startTarget } from '../src/target/server.js';
import type { TargetStats } from '../src/results/target-stats.js';
import { spawnTarget } from '../src/target/spawn.js';
import { startDelayServer } from './servers/delay-server.js';
import { defaults as scenarioDefaults } from '../src/scenario/defaults.js';
import { startIdleCloseServer } from './servers/idle-close-server.js';
import { startResetServer } from './servers/reset-server.js';
import { startStallServer } from './servers/stall-server.js';
import { startWsEchoServer } from './servers/ws-echo-server.js';

const defaults: ServerSettings = { ...scenarioDefaults.server };

interface Answer {
  status: number;
  body: Buffer;
  ms: number;
}

async function get(client: Client, headers: Record<string, string> = {}): Promise<Answer> {
  const started = performance.now();
  const res = await client.request({ path: '/', method: 'GET', headers });
  const body = Buffer.from(await res.body.arrayBuffer());
  return { status: res.statusCode, body, ms: performance.now() - started };
}

/** Polls until `check` holds, so tests wait for close events without fixed sleeps. */
async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail('condition not met in time');
    await sleep(10);
  }
}

function rawConnect(port: number): Promise<net.Socket> {
  const socket = net.connect(port, '127.0.0.1');
  return once(socket, 'connect').then(() => socket);
}

const rawGet = 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('startTarget', () => {
  test('answers with responseSize bytes after responseDelay, POST included', async () => {
    const target = await startTarget({ settings: { ...defaults, responseSize: 1000, responseDelay: 100 } });
    const client = new Client(target.url);
    try {
      const res = await get(client);
      assert.equal(res.status, 200);
      assert.equal(res.body.length, 1000);
      assert.ok(res.ms >= 95, `answered after ${res.ms} ms`);
      const post = await client.request({ path: '/anything', method: 'POST', body: Buffer.alloc(100_000) });
      assert.equal(post.statusCode, 200);
      assert.equal(post.headers['content-type'], 'application/octet-stream');
      assert.equal((await post.body.arrayBuffer()).byteLength, 1000);
      assert.ok(target.stats().bytesReceived > 100_000);
    } finally {
      await client.close();
      await target.close();
    }
  });

  test('echoes WebSocket messages with the same bytes and type, on /ws and below', async () => {
    const target = await startTarget({ settings: defaults });
    try {
      const ws = new WebSocket(`${target.url.replace('http', 'ws')}/ws/room`);
      await once(ws, 'open');
      const binary = Buffer.from([0, 1, 2, 255]);
      ws.send(binary);
      const [data1, isBinary1] = (await once(ws, 'message')) as [Buffer, boolean];
      assert.deepEqual(data1, binary);
      assert.equal(isBinary1, true);
      ws.send('hello');
      const [data2, isBinary2] = (await once(ws, 'message')) as [Buffer, boolean];
      assert.equal(String(data2), 'hello');
      assert.equal(isBinary2, false);
      assert.equal(target.stats().webSocketsAccepted, 1);
      assert.equal(target.stats().webSocketMessages, 2);

      const elsewhere = new WebSocket(`${target.url.replace('http', 'ws')}/other`);
      const [, response] = (await once(elsewhere, 'unexpected-response')) as [unknown, { statusCode: number }];
      assert.equal(response.statusCode, 404);

      // close() must not wait for clients to hang up.
      const closed = once(ws, 'close');
      await target.close();
      await closed;
      assert.equal(target.stats().connectionsOpen, 0);
      assert.equal(target.stats().connectionsClosed, 2);
    } finally {
      await target.close();
    }
  });

  test('counts requests and connections, keep-alive and Connection: close', async () => {
    const target = await startTarget({ settings: defaults });
    try {
      const keepAlive = new Client(target.url);
      for (let i = 0; i < 5; i++) await get(keepAlive);
      assert.equal(target.stats().requests, 5);
      assert.equal(target.stats().connectionsAccepted, 1);
      assert.equal(target.stats().connectionsOpen, 1);
      await keepAlive.close();
      await eventually(() => target.stats().connectionsClosed === 1);

      const closing = new Client(target.url);
      for (let i = 0; i < 5; i++) await get(closing, { connection: 'close' });
      await closing.close();
      await eventually(() => target.stats().connectionsClosed === 6);
      const stats = target.stats();
      assert.equal(stats.requests, 10);
      assert.equal(stats.connectionsAccepted, 6);
      assert.equal(stats.connectionsOpen, 0);
      assert.ok(stats.bytesSent > 10 * 64 && stats.bytesReceived > 0, JSON.stringify(stats));
    } finally {
      await target.close();
    }
  });

  test('keepAliveTimeout closes an idle socket', async () => {
    const target = await startTarget({ settings: { ...defaults, keepAliveTimeout: 300 } });
    try {
      const socket = await rawConnect(target.port);
      socket.write(rawGet);
      await once(socket, 'data');
      const idleSince = performance.now();
      await once(socket, 'close');
      const idleMs = performance.now() - idleSince;
      // Node closes at keepAliveTimeout plus its own 1 s buffer.
      assert.ok(idleMs >= 250 && idleMs < 2500, `closed after ${idleMs} ms idle`);
    } finally {
      await target.close();
    }
  });

  test('maxRequestsPerSocket ends a socket after that many requests', async () => {
    const target = await startTarget({ settings: { ...defaults, maxRequestsPerSocket: 2 } });
    const client = new Client(target.url);
    try {
      for (let i = 0; i < 4; i++) assert.equal((await get(client)).status, 200);
      assert.equal(target.stats().connectionsAccepted, 2);
    } finally {
      await client.close();
      await target.close();
    }
  });

  test('maxConnections drops and counts connections past the limit', async () => {
    const target = await startTarget({ settings: { ...defaults, maxConnections: 2 } });
    const sockets: net.Socket[] = [];
    try {
      sockets.push(await rawConnect(target.port), await rawConnect(target.port));
      await eventually(() => target.stats().connectionsAccepted === 2);
      const third = await rawConnect(target.port);
      third.on('error', () => {});
      sockets.push(third);
      await once(third, 'close');
      await eventually(() => target.stats().connectionsRejected === 1);
      assert.equal(target.stats().connectionsOpen, 2);
    } finally {
      for (const socket of sockets) socket.destroy();
      await target.close();
    }
  });
});

describe('spawnTarget', () => {
  test('runs the target in a child that answers stats, ignores SIGINT and stops on stop()', async () => {
    const target = await spawnTarget({ settings: defaults });
    assert.notEqual(target.pid, process.pid);
    const client = new Client(target.url);
    await get(client);
    await client.close();
    assert.equal((await target.stats()).requests, 1);

    process.kill(target.pid, 'SIGINT');
    await sleep(200);
    assert.ok(isAlive(target.pid), 'the child died of SIGINT');
    const [a, b] = await Promise.all([target.stats(), target.stats()]);
    assert.equal(a.requests, 1);
    assert.equal(b.connectionsAccepted, 1);

    const final: TargetStats = await target.stop();
    assert.equal(final.requests, 1);
    assert.equal(final.connectionsOpen, 0);
    assert.equal(isAlive(target.pid), false);
    assert.equal(await target.stop(), final);
    await assert.rejects(target.stats(), RunBrokenError);
  });

  test('reports a child that died as a broken run', async () => {
    const target = await spawnTarget({ settings: defaults });
    process.kill(target.pid, 'SIGKILL');
    await eventually(() => !isAlive(target.pid));
    const diedOfKill = (err: unknown): boolean => err instanceof RunBrokenError && /SIGKILL/.test(err.message);
    await assert.rejects(target.stats(), diedOfKill);
    await assert.rejects(target.stop(), RunBrokenError);
  });

  test('turns a port in use into a usage error', async () => {
    const first = await startTarget({ settings: defaults });
    try {
      await assert.rejects(spawnTarget({ port: first.port, settings: defaults }), UsageError);
    } finally {
      await first.close();
    }
  });

  test('the child exits when its parent lets go of the IPC channel', async () => {
    const child = fork(new URL('../src/target/child.js', import.meta.url), [], {
      env: { ...process.env, [targetOptionsEnv]: JSON.stringify({ settings: defaults }) },
      execArgv: [],
    });
    const [ready] = (await once(child, 'message')) as [ChildMessage];
    assert.equal(ready.type, 'ready');
    child.disconnect();
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0);
  });
});

describe('test servers', () => {
  test('reset-server resets every Nth request and answers the rest', async () => {
    const server = await startResetServer({ resetEvery: 2 });
    try {
      const socket = await rawConnect(server.port);
      socket.write(rawGet);
      const [first] = (await once(socket, 'data')) as [Buffer];
      assert.match(String(first), /^HTTP\/1\.1 200 OK/);
      socket.write(rawGet);
      const [err] = (await once(socket, 'error')) as [Error];
      assert.equal((err as NodeJS.ErrnoException).code, 'ECONNRESET');
      assert.deepEqual(server.counts, { requests: 2, resets: 1 });
    } finally {
      await server.close();
    }
  });

  test('delay-server answers after its delay', async () => {
    const server = await startDelayServer(100);
    const client = new Client(server.url);
    try {
      const res = await get(client);
      assert.equal(String(res.body), 'ok');
      assert.ok(res.ms >= 95, `answered after ${res.ms} ms`);
      assert.equal(server.counts.requests, 1);
    } finally {
      await client.close();
      await server.close();
    }
  });

  test('stall-server holds responses during a stall only', async () => {
    // Margins of hundreds of milliseconds: this runs late in a long suite on a shared, busy box.
    const server = await startStallServer({ stallMs: 1000, periodMs: 60_000, offsetMs: 600 });
    const startedAt = performance.now();
    const client = new Client(server.url);
    try {
      assert.ok((await get(client)).ms < 500);
      // The stall spans 600..1600 ms after start: ask in the middle of it.
      await sleep(1000 - (performance.now() - startedAt));
      const held = await get(client);
      assert.ok(held.ms >= 300 && held.ms < 1000, `held for ${held.ms} ms`);
      assert.ok((await get(client)).ms < 500);
      assert.deepEqual(server.counts, { requests: 3, held: 1 });
    } finally {
      await client.close();
      await server.close();
    }
  });

  test('idle-close-server closes a socket idleTimeoutMs after its last response', async () => {
    const server = await startIdleCloseServer(300);
    try {
      const socket = await rawConnect(server.port);
      socket.write(rawGet);
      await once(socket, 'data');
      await sleep(100);
      socket.write(rawGet);
      await once(socket, 'data');
      const idleSince = performance.now();
      await once(socket, 'end');
      const idleMs = performance.now() - idleSince;
      assert.ok(idleMs >= 280 && idleMs < 1500, `closed after ${idleMs} ms idle`);
      assert.deepEqual(server.counts, { requests: 2, connections: 1, closes: 1 });
    } finally {
      await server.close();
    }
  });

  test('ws-echo-server echoes and counts', async () => {
    const server = await startWsEchoServer();
    try {
      const ws = new WebSocket(server.url.replace('http', 'ws'));
      await once(ws, 'open');
      ws.send('ping');
      const [data, isBinary] = (await once(ws, 'message')) as [Buffer, boolean];
      assert.equal(String(data), 'ping');
      assert.equal(isBinary, false);
      assert.deepEqual(server.counts, { connections: 1, messages: 1 });
      ws.close();
    } finally {
      await server.close();
    }
  });
});
