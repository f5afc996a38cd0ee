// The drivers over TLS, one connection at a time against a real TLS server: what they
// record (connect, tls_handshake, wire bytes) and the names their failures get in errors.csv.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { decodeHistogram } from '../src/metrics/histogram.js';
import type { ConnectionDriver, DriverContext } from '../src/protocols/driver.js';
import { createHttpDriver } from '../src/protocols/http.js';
import { clientTls } from '../src/protocols/tls-options.js';
import { createWebSocketDriver } from '../src/protocols/websocket.js';
import { defaults } from '../src/scenario/defaults.js';
import type { StepScenario, TlsSettings } from '../src/scenario/types.js';
import { Recorder } from '../src/metrics/recorder.js';
import { tempDir } from './helpers/cli.js';
import { closerFor, listenOnFreePort } from './servers/listen.js';
import { startTlsEchoServer, type TlsEchoServer } from './servers/tls-echo-server.js';

let server: TlsEchoServer;
let wrongName: TlsEchoServer;
let caFile: string;
let wrongNameCa: string;
before(async () => {
  server = await startTlsEchoServer();
  wrongName = await startTlsEchoServer({ dnsNames: ['sockcap.test'], withoutIp: true });
  caFile = server.writeCert(tempDir('sockcap-ca-'));
  wrongNameCa = wrongName.writeCert(tempDir('sockcap-ca-'));
});
after(async () => {
  await server.close();
  await wrongName.close();
});

function context(url: string, tls: Partial<TlsSettings>, recorder: Recorder): DriverContext {
  const scenario: StepScenario = { ...structuredClone(defaults), tls: { ...defaults.tls, ...tls }, stepIndex: 0, stepLabel: 'main' };
  return {
    scenario,
    target: new URL(url),
    recorder,
    tls: clientTls(scenario.tls),
    localAddress: undefined,
    onClosed: () => {},
    connection: 0,
    sink: undefined,
  };
}

function send(driver: ConnectionDriver): Promise<string | null> {
  return new Promise((resolve) => driver.send((error) => resolve(error)));
}

function open(driver: ConnectionDriver): Promise<string | null> {
  return new Promise((resolve) => driver.open(resolve));
}

/** This interval's count of `metric`, bytes received and failed connections. */
function takeFigures(recorder: Recorder, metric: 'connect' | 'tls_handshake'): { counts: number; bytes: number; failed: number } {
  const { counters, histograms } = recorder.takeInterval();
  const encoded = histograms[metric];
  return {
    counts: encoded ? decodeHistogram(encoded).totalCount : 0,
    bytes: counters.bytesReceived,
    failed: counters.connectionsFailed,
  };
}

test('http over TLS records connect and tls_handshake apart and counts TLS records as wire bytes', async () => {
  const recorder = new Recorder();
  const driver = createHttpDriver(context(server.url, { ca: caFile }, recorder));
  assert.equal(await send(driver), null);
  assert.equal(await send(driver), null);
  await driver.close();
  const tls = takeFigures(recorder, 'tls_handshake');
  assert.equal(tls.counts, 1, 'one handshake for a kept-alive connection');
  // Two 2-byte bodies with headers are ~200 bytes in plain text; the server's certificate alone is more.
  assert.ok(tls.bytes > 600, `bytes received ${tls.bytes}`);
});

test('an untrusted certificate is tls_untrusted for http and websocket', async () => {
  const recorder = new Recorder();
  const http = createHttpDriver(context(server.url, {}, recorder));
  assert.equal(await send(http), 'tls_untrusted');
  await http.close();
  const ws = createWebSocketDriver(context(`wss://127.0.0.1:${server.port}/`, {}, recorder));
  assert.equal(await open(ws), 'tls_untrusted');
  await ws.close();
  const { failed } = takeFigures(recorder, 'connect');
  assert.equal(failed, 2, 'each refused handshake is a failed connection');
});

test('a certificate for another name is tls_hostname; the right servername passes', async () => {
  const recorder = new Recorder();
  const http = createHttpDriver(context(wrongName.url, { ca: wrongNameCa }, recorder));
  assert.equal(await send(http), 'tls_hostname');
  await http.close();
  const ws = createWebSocketDriver(context(`wss://127.0.0.1:${wrongName.port}/`, { ca: wrongNameCa, servername: 'sockcap.test' }, recorder));
  assert.equal(await open(ws), null);
  await ws.close();
});

test('resume offers the previous session on reconnect; resume: false never does', async () => {
  for (const resume of [true, false]) {
    const before = server.counts.tlsResumed;
    const recorder = new Recorder();
    const scenario = context(server.url, { ca: caFile, resume }, recorder);
    scenario.scenario.http.keepAlive = false;
    const driver = createHttpDriver(scenario);
    for (let i = 0; i < 5; i++) assert.equal(await send(driver), null);
    await driver.close();
    const resumed = server.counts.tlsResumed - before;
    if (resume) assert.equal(resumed, 4, 'every reconnect after the first resumed');
    else assert.equal(resumed, 0);
  }
});

test('the WebSocket handshake timeout holds over the opener, plain and TLS', async () => {
  // Accepts connections and never answers: neither the upgrade nor the TLS handshake completes.
  const hole = net.createServer((socket) => socket.on('error', () => {}));
  const port = await listenOnFreePort(hole);
  const close = closerFor(hole);
  try {
    for (const url of [`ws://127.0.0.1:${port}/`, `wss://127.0.0.1:${port}/`]) {
      const driverContext = context(url, { ca: caFile }, new Recorder());
      driverContext.scenario.websocket.handshakeTimeout = 300;
      const driver = createWebSocketDriver(driverContext);
      const startedAt = performance.now();
      assert.equal(await open(driver), 'handshake_timeout', url);
      assert.ok(performance.now() - startedAt < 2000, `${url}: timed out after ${performance.now() - startedAt} ms`);
      await driver.close();
    }
  } finally {
    await close();
  }
});
