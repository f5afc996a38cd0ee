// The lean HTTP/1.1 keep-alive driver against real servers, each case run through it and
// through the undici driver it stands in for: the same requests on the wire, the same codes
// for every answer and failure, the same sockets opened and reused. Which driver a step gets
// is `leanHttp1Serves`.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Recorder } from '../src/metrics/recorder.js';
import type { ConnectionDriver, DriverContext } from '../src/protocols/driver.js';
import { createHttpDriver, leanHttp1Serves } from '../src/protocols/http.js';
import { createLeanHttp1Driver } from '../src/protocols/http1-keepalive.js';
import { defaults } from '../src/scenario/defaults.js';
import type { HttpSettings } from '../src/scenario/protocol-settings.js';
import type { StepScenario } from '../src/scenario/types.js';
import { startNginx } from '../scripts/bench/nginx.js';
import { onPath } from '../scripts/bench/processes.js';
import { closerFor, listenOnFreePort } from './servers/listen.js';
import { startResetServer } from './servers/reset-server.js';
import { startScriptedHttpServer, type Script } from './servers/scripted-http-server.js';
import net from 'node:net';

const drivers = { lean: createLeanHttp1Driver, undici: createHttpDriver };
type Kind = keyof typeof drivers;

function scenarioWith(http: Partial<HttpSettings>): StepScenario {
  const base = structuredClone(defaults);
  return { ...base, http: { ...base.http, ...http }, stepIndex: 0, stepLabel: 'main' };
}

function contextFor(url: string, recorder: Recorder, http: Partial<HttpSettings>, lost: string[] = []): DriverContext {
  return {
    scenario: scenarioWith(http),
    target: new URL(url),
    recorder,
    tls: undefined,
    localAddress: undefined,
    onClosed: (_connection, code) => lost.push(code),
    connection: 0,
    sink: undefined,
  };
}

function send(driver: ConnectionDriver): Promise<{ error: string | null; responded: boolean }> {
  return new Promise((resolve) => driver.send((error, responded) => resolve({ error, responded })));
}

interface Outcome {
  results: { error: string | null; responded: boolean }[];
  heads: string[];
  connections: number;
  fresh: number;
  reused: number;
  bytesSent: number;
}

/** `requests` requests one after another (with `pauseMs` between) through one driver of `kind` against a server running `script`. */
async function run(kind: Kind, script: Script, requests: number, http: Partial<HttpSettings> = {}, pauseMs = 0): Promise<Outcome> {
  const server = await startScriptedHttpServer(script);
  const recorder = new Recorder();
  const driver = drivers[kind](contextFor(server.url, recorder, http));
  const results = [];
  try {
    for (let i = 0; i < requests; i++) {
      if (i > 0 && pauseMs > 0) await sleep(pauseMs);
      results.push(await send(driver));
    }
  } finally {
    await driver.close();
    await server.close();
  }
  const { counters } = recorder.takeInterval();
  return {
    results,
    // Each run has its own server: the port in `host` is the one thing that may differ.
    heads: server.seen.heads.map((head) => head.replace(/127\.0\.0\.1:\d+/, '127.0.0.1:port')),
    connections: server.seen.connections,
    fresh: counters.requestsOnFreshSockets,
    reused: counters.requestsOnReusedSockets,
    bytesSent: counters.bytesSent,
  };
}

/** Runs the case through both drivers: they must agree on everything; returns the lean one's outcome. */
async function same(script: Script, requests: number, http: Partial<HttpSettings> = {}, pauseMs = 0): Promise<Outcome> {
  const lean = await run('lean', script, requests, http, pauseMs);
  const undici = await run('undici', script, requests, http, pauseMs);
  assert.deepEqual(lean, undici, 'the lean driver as the undici one');
  return lean;
}

const ok = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
const okResults = (n: number): Outcome['results'] => Array.from({ length: n }, () => ({ error: null, responded: true }));

describe('the lean HTTP/1.1 driver answers as the undici one', () => {
  test('the same request bytes, with headers and a body, on one reused socket', async () => {
    const outcome = await same(() => [ok], 3, { method: 'POST', headers: { 'x-one': '1', Accept: 'text/plain' }, body: 'hello', path: '/p?q=1' });
    assert.deepEqual(outcome.results, okResults(3));
    assert.equal(outcome.connections, 1);
    assert.deepEqual([outcome.fresh, outcome.reused], [1, 2]);
    assert.match(
      outcome.heads[0]!,
      /^POST \/p\?q=1 HTTP\/1\.1\r\nhost: 127\.0\.0\.1:port\r\nconnection: keep-alive\r\nx-one: 1\r\nAccept: text\/plain\r\ncontent-length: 5$/,
    );
  });

  test('a head and a chunked body with trailers split over many reads', async () => {
    const pieces = ['HTTP/1.1 2', '00 OK\r\nTransfer-Enc', 'oding: chunked\r\n\r', '\n3\r\nabc', '\r\n0\r\nX-T: 1\r', '\n\r\n'];
    const outcome = await same(() => [...pieces], 2);
    assert.deepEqual(outcome.results, okResults(2));
    assert.equal(outcome.connections, 1);
  });

  test('1xx skipped, 204 without a body, an error status counted as answered', async () => {
    const outcome = await same(
      (n) => [
        n === 1 ? `HTTP/1.1 103 Early Hints\r\n\r\n${ok}` : n === 2 ? 'HTTP/1.1 204 No Content\r\n\r\n' : 'HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n',
      ],
      3,
    );
    assert.deepEqual(outcome.results, [...okResults(2), { error: 'http_503', responded: true }]);
    assert.equal(outcome.connections, 1);
  });

  test('Connection: close, a hint with no idle time left and a body to the close each end the socket', async () => {
    for (const answer of [
      'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok',
      'HTTP/1.1 200 OK\r\nKeep-Alive: timeout=1\r\nContent-Length: 2\r\n\r\nok',
    ]) {
      const outcome = await same(() => [answer], 3);
      assert.deepEqual(outcome.results, okResults(3));
      assert.deepEqual([outcome.connections, outcome.fresh, outcome.reused], [3, 3, 0], answer);
    }
    const untilClose = await same(() => ['HTTP/1.1 200 OK\r\n\r\nstreamed', null], 2);
    assert.deepEqual(untilClose.results, okResults(2));
    assert.equal(untilClose.connections, 2);
  });

  test('a socket idle past keepAliveTimeout is not reused', async () => {
    const outcome = await same(() => [ok], 2, { keepAliveTimeout: 100 }, 300);
    assert.deepEqual(outcome.results, okResults(2));
    assert.deepEqual([outcome.connections, outcome.fresh], [2, 2]);
  });

  test('garbage is http_parse_error, a socket closed mid-answer socket_closed, a target that never finishes timeout', async () => {
    assert.deepEqual((await same(() => ['garbage that is no HTTP\r\n\r\n'], 1)).results, [{ error: 'http_parse_error', responded: false }]);
    assert.deepEqual((await same(() => ['HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf', null], 1)).results, [
      { error: 'socket_closed', responded: false },
    ]);
    assert.deepEqual((await same(() => ['HTTP/1.1 200 OK\r\nContent-Le'], 1, { timeout: 200 })).results, [{ error: 'timeout', responded: false }]);
    assert.deepEqual((await same(() => ['HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf'], 1, { timeout: 200 })).results, [
      { error: 'timeout', responded: false },
    ]);
  });
});

describe('the lean HTTP/1.1 driver against failing targets', () => {
  test('a reset mid-run fails that request only; the next opens a fresh socket', async () => {
    for (const kind of ['lean', 'undici'] as const) {
      const server = await startResetServer({ resetEvery: 3 });
      const recorder = new Recorder();
      const driver = drivers[kind](contextFor(server.url, recorder, {}));
      const results = [];
      for (let i = 0; i < 4; i++) results.push((await send(driver)).error);
      await driver.close();
      await server.close();
      assert.deepEqual(results, [null, null, 'ECONNRESET', null], kind);
      assert.equal(recorder.takeInterval().counters.requestsOnFreshSockets, 2, kind);
    }
  });

  test('a refused connection is ECONNREFUSED and a failed connection', async () => {
    const server = net.createServer();
    const close = closerFor(server);
    const port = await listenOnFreePort(server);
    await close();
    for (const kind of ['lean', 'undici'] as const) {
      const recorder = new Recorder();
      const driver = drivers[kind](contextFor(`http://127.0.0.1:${port}/`, recorder, {}));
      assert.deepEqual(await send(driver), { error: 'ECONNREFUSED', responded: false }, kind);
      await driver.close();
      assert.equal(recorder.takeInterval().counters.connectionsFailed, 1, kind);
    }
  });

  test('a held connection the target closes is reported lost once; one sockcap drops is not', async () => {
    for (const kind of ['lean', 'undici'] as const) {
      const server = await startScriptedHttpServer((n) => (n === 1 ? [ok, null] : [ok]));
      const lost: string[] = [];
      const driver = drivers[kind](contextFor(server.url, new Recorder(), {}, lost));
      await new Promise((resolve) => driver.establish(resolve));
      await sleep(100);
      assert.deepEqual(lost, ['socket_closed'], kind);
      await new Promise((resolve) => driver.establish(resolve));
      driver.drop();
      await sleep(50);
      assert.deepEqual(lost, ['socket_closed'], kind);
      await driver.close();
      await server.close();
    }
  });
});

test(
  'nginx: 2,000 requests over one lean connection, every one answered on the same socket',
  { skip: !(await onPath('nginx')) && 'nginx not installed' },
  async () => {
    const nginx = await startNginx();
    const recorder = new Recorder();
    const driver = createLeanHttp1Driver(contextFor(nginx.url, recorder, {}));
    try {
      for (let i = 0; i < 2000; i++) assert.deepEqual(await send(driver), { error: null, responded: true });
    } finally {
      await driver.close();
      await nginx.stop();
    }
    const { counters } = recorder.takeInterval();
    assert.deepEqual([counters.requestsOnFreshSockets, counters.requestsOnReusedSockets, counters.connectionsHttp1], [1, 1999, 1]);
  },
);

test('leanHttp1Serves: the plain keep-alive request loop only', () => {
  const step = (http: Partial<HttpSettings>, workload: StepScenario['workload'] = 'closed'): StepScenario => ({ ...scenarioWith(http), workload });
  assert.equal(leanHttp1Serves(step({})), true);
  assert.equal(leanHttp1Serves(step({}, 'arrival-rate')), true);
  assert.equal(leanHttp1Serves(step({}, 'hold')), false);
  assert.equal(leanHttp1Serves(step({ pipelining: 2 })), false);
  assert.equal(leanHttp1Serves(step({ keepAlive: false })), false);
  assert.equal(leanHttp1Serves(step({ version: 'auto' })), false);
  assert.equal(leanHttp1Serves(step({ method: 'HEAD' })), false);
  assert.equal(leanHttp1Serves(step({ headers: { Host: 'example.test' } })), false);
});
