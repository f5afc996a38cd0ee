// The lean HTTP/2 path (http2-lean.ts) driven directly, one simulated connection, against
// servers sockcap's framing did not write: the built-in target's node:http2 server, nginx
// (h2c and TLS), the GOAWAY and refusing servers, a server that answers with HTTP/2 the RFC
// allows but node:http2 never sends (padding, CONTINUATION, 1xx, unknown frames, a dynamic
// table), and servers that send garbage. The CLI tests (http2*.test.ts) run the same path
// end to end: this file shows that it is the one serving the plain steps.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Recorder } from '../src/metrics/recorder.js';
import type { Counters } from '../src/metrics/counters.js';
import type { ConnectionDriver, DriverContext } from '../src/protocols/driver.js';
import { httpProtocol } from '../src/protocols/http.js';
import { createLeanHttp2Driver } from '../src/protocols/http2-lean.js';
import { clientTls } from '../src/protocols/tls-options.js';
import { defaults } from '../src/scenario/defaults.js';
import type { StepScenario } from '../src/scenario/types.js';
import { generatedCertificate } from '../src/target/certificate.js';
import { startTarget } from '../src/target/server.js';
import { startNginx } from '../scripts/bench/nginx.js';
import { tempDir } from './helpers/cli.js';
import { startGoawayServer } from './servers/goaway-server.js';
import { startRefusingH2Server } from './servers/h2-refusing-server.js';
import { startRawH2Server } from './servers/raw-h2-server.js';

type HttpPatch = Partial<StepScenario['http']>;

function context(url: string, http: HttpPatch, recorder: Recorder, ca?: string): DriverContext {
  const base = structuredClone(defaults);
  const scenario: StepScenario = {
    ...base,
    http: { ...base.http, version: '2', streams: 8, timeout: 10_000, ...http },
    tls: { ...base.tls, ...(ca ? { ca } : {}) },
    stepIndex: 0,
    stepLabel: 'main',
  };
  return {
    scenario,
    target: new URL(url),
    recorder,
    tls: url.startsWith('https') ? clientTls(scenario.tls) : undefined,
    localAddress: undefined,
    onClosed: () => {},
    connection: 0,
    sink: undefined,
  };
}

/** Sends `count` requests at once (the driver queues what its streams cannot carry yet) and returns their outcomes by code. */
async function load(url: string, count: number, http: HttpPatch = {}, ca?: string): Promise<{ outcomes: Record<string, number>; counters: Counters }> {
  const recorder = new Recorder();
  const driver: ConnectionDriver = createLeanHttp2Driver(context(url, http, recorder, ca));
  const results = await Promise.all(Array.from({ length: count }, () => new Promise<string | null>((resolve) => driver.send((error) => resolve(error)))));
  await driver.close();
  const outcomes: Record<string, number> = {};
  for (const result of results) outcomes[result ?? 'ok'] = (outcomes[result ?? 'ok'] ?? 0) + 1;
  return { outcomes, counters: recorder.takeInterval().counters };
}

async function until(condition: () => boolean, withinMs = 2000): Promise<boolean> {
  const end = Date.now() + withinMs;
  while (!condition() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 10));
  return condition();
}

test('the plain loop over HTTP/2 (closed, arrival-rate) gets the lean path; hold, connect, auto and sessions keep node:http2', () => {
  const step = (patch: object): unknown => {
    const plan = httpProtocol.plan({ ...structuredClone(defaults), ...patch });
    return plan.kind === 'send' ? plan.driver : undefined;
  };
  const h2 = { ...defaults.http, version: '2' as const };
  assert.equal(step({ http: h2 }), createLeanHttp2Driver);
  assert.equal(step({ http: h2, workload: 'arrival-rate' }), createLeanHttp2Driver);
  for (const patch of [{ http: h2, workload: 'hold' }, { http: h2, workload: 'connect' }, { http: { ...h2, version: 'auto' } }, { http: defaults.http }]) {
    assert.notEqual(step(patch), createLeanHttp2Driver, JSON.stringify(patch));
  }
});

test("the built-in target's node:http2 server: streams capped by its SETTINGS, none refused, one connection", async () => {
  const target = await startTarget({ settings: { ...defaults.server, http2: true, maxConcurrentStreams: 7, responseDelay: 5 } });
  try {
    const { outcomes, counters } = await load(target.url, 60, { streams: 50 });
    assert.deepEqual(outcomes, { ok: 60 });
    assert.equal(counters.serverMaxStreams, 7);
    assert.equal(counters.streamsPeakPerConn, 7);
    assert.equal(counters.streamsRefused, 0);
    assert.equal(counters.connectionsHttp2, 1);
    assert.equal(counters.requestsOnFreshSockets, 1);
    assert.equal(counters.requestsOnReusedSockets, 59);
  } finally {
    await target.close();
  }
});

test('answers larger than both receive windows (6 MiB per stream, 15 MiB per connection) never stall', async () => {
  const target = await startTarget({ settings: { ...defaults.server, http2: true, responseSize: 7 * 1024 * 1024 } });
  try {
    const { outcomes, counters } = await load(target.url, 4, { streams: 4 });
    assert.deepEqual(outcomes, { ok: 4 });
    assert.ok(counters.bytesReceived > 28 * 1024 * 1024, `${counters.bytesReceived} bytes`);
  } finally {
    await target.close();
  }
});

test("a request body larger than the server's windows goes out as they open, and is received whole", async () => {
  const target = await startTarget({ settings: { ...defaults.server, http2: true } });
  try {
    const body = 'b'.repeat(300 * 1024);
    const { outcomes, counters } = await load(target.url, 6, { streams: 3, method: 'POST', body });
    assert.deepEqual(outcomes, { ok: 6 });
    assert.ok(counters.bytesSent > 6 * body.length, `${counters.bytesSent} bytes sent`);
  } finally {
    await target.close();
  }
});

describe('nginx', () => {
  let caFile: string;
  const servers: { stop(): Promise<void> }[] = [];
  let cert: Awaited<ReturnType<typeof generatedCertificate>>;
  before(async () => {
    cert = await generatedCertificate();
    caFile = join(tempDir('sockcap-lean-ca-'), 'ca.pem');
    writeFileSync(caFile, cert.cert);
  });
  after(async () => {
    for (const server of servers) await server.stop();
  });

  test('h2c and h2 over TLS by ALPN: every request answered on one connection', async () => {
    for (const http2 of ['h2c', 'tls'] as const) {
      const server = await startNginx({ http2, cert });
      servers.push(server);
      const { outcomes, counters } = await load(server.url, 100, { streams: 20 }, caFile);
      assert.deepEqual(outcomes, { ok: 100 }, http2);
      assert.equal(counters.serverMaxStreams, 128, http2);
      assert.equal(counters.streamsPeakPerConn, 20, http2);
      assert.equal(counters.connectionsHttp2, 1, http2);
    }
  });

  test('keepalive_requests: the GOAWAY is counted, streams past it sent again on a new connection', async () => {
    const server = await startNginx({ http2: 'h2c', keepaliveRequests: 10 });
    servers.push(server);
    const { outcomes, counters } = await load(server.url, 60, { streams: 8 });
    assert.deepEqual(outcomes, { ok: 60 });
    assert.ok(counters.goaways >= 5, `${counters.goaways} GOAWAYs`);
    assert.equal(counters.goawayLastStreamId, 19);
    assert.ok(counters.streamsRefused > 0);
    assert.ok(counters.connectionsHttp2 >= 6);
  });
});

test('a GOAWAY with ENHANCE_YOUR_CALM: counted with its code, the stream past it refused and sent again', async () => {
  const server = await startGoawayServer(5);
  try {
    const { outcomes, counters } = await load(server.url, 40, { streams: 2 });
    assert.ok(counters.goaways >= 7, `${counters.goaways} GOAWAYs`);
    assert.equal(counters.goawayLastStreamId, 9);
    assert.ok(counters.errorsByCode.h2_goaway_enhance_your_calm! >= counters.goaways);
    assert.ok(counters.streamsRefused > 0);
    assert.equal(counters.streamResets, 0);
    assert.deepEqual(Object.keys(outcomes).sort(), outcomes.h2_goaway_enhance_your_calm ? ['h2_goaway_enhance_your_calm', 'ok'] : ['ok']);
    assert.equal(server.counts.goaways, counters.goaways);
  } finally {
    await server.close();
  }
});

test('REFUSED_STREAM sent again and answered; another RST_STREAM code fails its request by name', async () => {
  const server = await startRefusingH2Server(4);
  try {
    // One stream at a time: a refused request goes again as the next stream, which is not refused.
    const { outcomes, counters } = await load(server.url, 40, { streams: 1 });
    assert.deepEqual(outcomes, { ok: 40 });
    assert.equal(counters.streamsRefused, server.counts.refused);
    assert.ok(server.counts.refused >= 10);
    const reset = await load(`${server.url}reset`, 5, { streams: 1 });
    assert.equal(reset.outcomes.h2_rst_internal_error, reset.counters.streamResets);
    assert.ok(reset.counters.streamResets >= 3, JSON.stringify(reset.outcomes));
  } finally {
    await server.close();
  }
});

test('padding, CONTINUATION, 1xx, unknown frame types, PING and a dynamic table: all read as the RFC says', async () => {
  const server = await startRawH2Server('conformant');
  try {
    const { outcomes, counters } = await load(server.url, 30, { streams: 3 });
    assert.deepEqual(outcomes, { ok: 20, http_404: 10 });
    assert.equal(counters.serverMaxStreams, 3);
    assert.ok(server.seen.pingAcks >= 1 && server.seen.settingsAcks === 1, JSON.stringify(server.seen));
  } finally {
    await server.close();
  }
});

test("request bodies keep to the server's windows: a 1,000-byte stream window and the connection's 65,535", async () => {
  const server = await startRawH2Server('conformant');
  try {
    const body = 'b'.repeat(30_000);
    const { outcomes } = await load(server.url, 6, { streams: 3, method: 'POST', body });
    assert.deepEqual(outcomes, { ok: 4, http_404: 2 });
    assert.equal(server.seen.bodyBytes, 6 * body.length);
    assert.equal(server.seen.windowViolations, 0);
  } finally {
    await server.close();
  }
});

test('a server that sends garbage: a coded protocol error, a GOAWAY from the client', async () => {
  for (const [mode, code] of [
    ['http1', 'h2_frame_size_error'],
    ['data-on-stream-0', 'h2_protocol_error'],
    ['bad-hpack', 'h2_compression_error'],
    ['no-settings', 'h2_protocol_error'],
  ] as const) {
    const server = await startRawH2Server(mode);
    try {
      const { outcomes } = await load(server.url, 2, { streams: 2 });
      assert.deepEqual(outcomes, { [code]: 2 }, mode);
      // The GOAWAY reaches the server a moment after the requests failed.
      if (mode !== 'http1') assert.ok(await until(() => server.seen.goaways >= 1), `${mode}: ${JSON.stringify(server.seen)}`);
    } finally {
      await server.close();
    }
  }
});

test('a server that is not there: the connection error, counted as a failed connection', async () => {
  const port = await new Promise<number>((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
  const { outcomes, counters } = await load(`http://127.0.0.1:${port}/`, 3);
  assert.deepEqual(outcomes, { ECONNREFUSED: 3 });
  assert.equal(counters.connectionsFailed, 1);
});
