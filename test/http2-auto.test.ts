// `http.version: auto` records which version each connection got: against a TLS server whose
// ALPN picks h2 and http/1.1 in turn, half the connections speak each, http_version says
// `1.1+2`, the console says how many fell back, and requests succeed over both.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { generatedCertificate } from '../src/target/certificate.js';
import { cellNumber, onlyRunDir, readCsv, runCli, tempDir, writeScenario } from './helpers/cli.js';
import { startAlpnAlternatingServer } from './servers/alpn-alternating-server.js';

test('auto against a server whose ALPN alternates: 2 connections on each version, http_version 1.1+2, said on the console', async () => {
  const cert = await generatedCertificate();
  const server = await startAlpnAlternatingServer(cert);
  try {
    const dir = tempDir('sockcap-h2-auto-');
    writeFileSync(join(dir, 'ca.pem'), cert.cert);
    const file = writeScenario(
      dir,
      'auto.yaml',
      `name: auto\ntarget: ${server.url}\nconnections: 4\nduration: 1s\nwarmup: 0s\nworkers: 1\ntls: { ca: ca.pem }\nhttp: { version: auto, streams: 2 }\n`,
    );
    const { code, stderr } = await runCli(['run', file, '--out', join(dir, 'results')], dir);
    assert.equal(code, 0, stderr);
    const row = readCsv(join(onlyRunDir(join(dir, 'results')), 'summary.csv'))[0]!;
    assert.deepEqual(server.counts, { h2: 2, http1: 2 });
    assert.equal(row.http_version, '1.1+2');
    assert.equal(cellNumber(row, 'errors'), 0);
    assert.ok(cellNumber(row, 'requests') > 4, `${row.requests} requests`);
    assert.equal(cellNumber(row, 'streams_peak_per_conn'), 2, 'the HTTP/2 connections multiplexed');
    assert.match(stderr, /http\.version auto in step main: 2 connections fell back to HTTP\/1\.1, 2 spoke HTTP\/2/);
  } finally {
    await server.close();
  }
});
