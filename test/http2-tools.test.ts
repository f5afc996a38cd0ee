// `sockcap probe` against HTTP/2 servers whose limits are known: the built-in target over h2c
// (idle GOAWAY, GOAWAY after max requests, its stream limit) and nginx over TLS (h2 by ALPN,
// keepalive_requests), and an HTTP/1.1 server, which it says speaks no HTTP/2; and
// `sockcap sweep` varying http.version and http.streams.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startNginx } from '../scripts/bench/nginx.js';
import { defaults } from '../src/scenario/defaults.js';
import { generatedCertificate } from '../src/target/certificate.js';
import { startTarget } from '../src/target/server.js';
import { join } from 'node:path';
import { cellNumber, onlyRunDir, readCsv, runCli, tempDir, writeScenario } from './helpers/cli.js';

interface Finding {
  key: string;
  text: string;
  value: number | boolean | null;
  details: Record<string, unknown>;
}

async function probe(url: string, ...flags: string[]): Promise<Map<string, Finding>> {
  const { code, stdout, stderr } = await runCli(['probe', url, '--json', ...flags], tempDir());
  assert.equal(code, 0, stderr);
  const { findings } = JSON.parse(stdout) as { findings: Finding[] };
  return new Map(findings.map((finding) => [finding.key, finding]));
}

test('the built-in h2c target: protocol, stream limit, idle GOAWAY and GOAWAY after max requests', async () => {
  const target = await startTarget({
    settings: { ...defaults.server, http2: true, maxConcurrentStreams: 50, keepAliveTimeout: 1000, maxRequestsPerSocket: 30 },
  });
  try {
    const findings = await probe(target.url, '--max-idle', '4s', '--max-requests', '100');
    assert.match(findings.get('negotiatedProtocol')!.text, /^h2c /);
    assert.equal(findings.get('maxConcurrentStreams')!.value, 50);
    const idle = findings.get('http2IdleTimeout')!;
    assert.ok(typeof idle.value === 'number' && Math.abs(idle.value - 1000) <= 250, idle.text);
    assert.match(idle.text, /GOAWAY no_error, last stream 1\)/);
    const limit = findings.get('http2MaxRequests')!;
    assert.equal(limit.value, 30);
    assert.match(limit.text, /last stream 59\)/);
  } finally {
    await target.close();
  }
});

test('nginx over TLS: h2 by ALPN, its stream limit and keepalive_requests as a GOAWAY', async () => {
  const cert = await generatedCertificate();
  const nginx = await startNginx({ http2: 'tls', cert, maxConcurrentStreams: 16, keepaliveRequests: 20 });
  try {
    const findings = await probe(nginx.url, '--insecure', '--max-idle', '1s', '--max-requests', '50');
    assert.match(findings.get('negotiatedProtocol')!.text, /^h2 \(HTTP\/2 by ALPN\)/);
    assert.equal(findings.get('maxConcurrentStreams')!.value, 16);
    assert.equal(findings.get('http2IdleTimeout')!.value, null, 'nginx keeps an idle connection for 75 s');
    assert.equal(findings.get('http2MaxRequests')!.value, 20);
  } finally {
    await nginx.stop();
  }
});

test('an HTTP/1.1 server speaks no HTTP/2, and its keep-alive findings follow', async () => {
  const target = await startTarget({ settings: { ...defaults.server, keepAliveTimeout: 500 } });
  try {
    const findings = await probe(target.url, '--max-idle', '3s', '--max-requests', '10');
    assert.match(findings.get('negotiatedProtocol')!.text, /^http\/1\.1 \(no HTTP\/2\)/);
    assert.equal(findings.has('maxConcurrentStreams'), false);
    assert.ok(findings.has('keepAliveIdleTimeout'));
  } finally {
    await target.close();
  }
});

test('sweep varies http.version (nginx over TLS speaks both) and http.streams', async () => {
  const cert = await generatedCertificate();
  const nginx = await startNginx({ http2: 'tls', cert });
  try {
    const dir = tempDir('sockcap-h2-sweep-');
    const file = writeScenario(
      dir,
      'sweep.yaml',
      `name: h2-sweep\ntarget: ${nginx.url}\nconnections: 2\nduration: 1s\nwarmup: 0s\nworkers: 1\ntls: { insecure: true }\n`,
    );
    const versions = await runCli(['sweep', file, '--vary', 'http.version=1.1,2', '--out', join(dir, 'versions')], dir);
    assert.equal(versions.code, 0, versions.stderr);
    const byVersion = readCsv(join(onlyRunDir(join(dir, 'versions')), 'sweep.csv'));
    assert.deepEqual(
      byVersion.map((row) => [row['http.version'], row.http_version]),
      [
        ['1.1', '1.1'],
        ['2', '2'],
      ],
    );
    // The keep-alive figures compare across versions: over HTTP/2 the first stream of each of the 2
    // connections went on a fresh one, every later one on a reused one, each with its latency.
    const h2 = byVersion[1]!;
    assert.equal(cellNumber(h2, 'requests_on_fresh_sockets'), 2);
    assert.equal(cellNumber(h2, 'requests_on_reused_sockets') + 2, cellNumber(h2, 'requests'));
    assert.ok(cellNumber(h2, 'reuse_pct') > 90, `reuse ${h2.reuse_pct} %`);
    assert.ok(cellNumber(h2, 'latency_fresh_p50_ms') > 0 && cellNumber(h2, 'latency_reused_p50_ms') > 0);
    const streams = await runCli(['sweep', file, '--set', 'http.version=2', '--vary', 'http.streams=1,8', '--out', join(dir, 'streams')], dir);
    assert.equal(streams.code, 0, streams.stderr);
    const byStreams = readCsv(join(onlyRunDir(join(dir, 'streams')), 'sweep.csv'));
    assert.deepEqual(
      byStreams.map((row) => [row['http.streams'], row.streams_peak_per_conn]),
      [
        ['1', '1'],
        ['8', '8'],
      ],
    );
  } finally {
    await nginx.stop();
  }
});
