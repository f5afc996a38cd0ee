// The built-in target with `server.http2: true`, seen by node:http2's own client: h2c and
// h2 over TLS, the announced SETTINGS_MAX_CONCURRENT_STREAMS, a GOAWAY after max requests
// (its last stream id the last one served) and a GOAWAY after idleness.
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ScenarioError } from '../src/errors.js';
import { loadScenario } from '../src/api.js';
import { defaults } from '../src/scenario/defaults.js';
import type { ServerSettings } from '../src/scenario/types.js';
import { generatedCertificate } from '../src/target/certificate.js';
import { startTarget } from '../src/target/server.js';
import { testDir } from './helpers/cli.js';

const h2: ServerSettings = { ...defaults.server, http2: true };

function get(session: http2.ClientHttp2Session): Promise<{ status: number; bytes: number; error?: string }> {
  return new Promise((resolve) => {
    const stream = session.request({ ':path': '/' });
    let status = 0;
    let bytes = 0;
    stream.on('response', (headers) => (status = Number(headers[':status'])));
    stream.on('data', (chunk: Buffer) => (bytes += chunk.length));
    stream.on('end', () => resolve({ status, bytes }));
    stream.on('error', (error: NodeJS.ErrnoException) => resolve({ status, bytes, error: error.code ?? 'error' }));
  });
}

describe('built-in target over HTTP/2', () => {
  test('h2c: answers many streams on one connection and announces maxConcurrentStreams', async () => {
    const target = await startTarget({ settings: { ...h2, maxConcurrentStreams: 7, responseSize: 100 } });
    try {
      const session = http2.connect(target.url);
      await once(session, 'remoteSettings');
      assert.equal(session.remoteSettings.maxConcurrentStreams, 7);
      const answers = await Promise.all(Array.from({ length: 20 }, () => get(session)));
      assert.deepEqual(new Set(answers.map((a) => `${a.status}/${a.bytes}`)), new Set(['200/100']));
      const stats = target.stats();
      assert.equal(stats.requests, 20);
      assert.equal(stats.connectionsAccepted, 1);
      session.close();
    } finally {
      await target.close();
    }
  });

  test('TLS: negotiates h2 by ALPN with the generated certificate', async () => {
    const tls = await generatedCertificate();
    const target = await startTarget({ settings: { ...h2, tls: true }, tls });
    try {
      assert.match(target.url, /^https:/);
      const session = http2.connect(target.url, { ca: tls.cert });
      await once(session, 'connect');
      assert.equal(session.alpnProtocol, 'h2');
      assert.equal((await get(session)).status, 200);
      assert.equal(target.stats().tlsHandshakes, 1);
      session.close();
    } finally {
      await target.close();
    }
  });

  test('maxRequestsPerSocket: GOAWAY after that many streams, later streams refused', async () => {
    const target = await startTarget({ settings: { ...h2, maxRequestsPerSocket: 3 } });
    try {
      const session = http2.connect(target.url);
      const goaway = once(session, 'goaway') as Promise<[number, number]>;
      const answers = await Promise.all(Array.from({ length: 5 }, () => get(session)));
      const [code, lastStreamId] = await goaway;
      assert.equal(code, http2.constants.NGHTTP2_NO_ERROR);
      // Client streams are odd: the third is stream 5.
      assert.equal(lastStreamId, 5);
      assert.equal(answers.filter((a) => a.status === 200).length, 3);
      assert.equal(answers.filter((a) => a.error !== undefined).length, 2);
    } finally {
      await target.close();
    }
  });

  test('keepAliveTimeout: an idle connection gets a GOAWAY and is closed', async () => {
    const target = await startTarget({ settings: { ...h2, keepAliveTimeout: 300 } });
    try {
      const session = http2.connect(target.url);
      await get(session);
      const started = performance.now();
      const [code] = (await once(session, 'goaway')) as [number];
      const idleMs = performance.now() - started;
      assert.equal(code, http2.constants.NGHTTP2_NO_ERROR);
      assert.ok(idleMs >= 250, `GOAWAY after ${idleMs} ms idle`);
      await once(session, 'close');
    } finally {
      await target.close();
    }
  });
});

test('server.http2 with a WebSocket step against the built-in target is refused in one line', async (t) => {
  const dir = testDir(t, 'sockcap-h2-');
  const file = path.join(dir, 'ws.yaml');
  writeFileSync(file, 'protocol: websocket\nserver: { http2: true }\n');
  await assert.rejects(loadScenario(file), (err: unknown) => {
    assert.ok(err instanceof ScenarioError);
    assert.match(err.message, /server\.http2: expected false with protocol: websocket/);
    return true;
  });
});
