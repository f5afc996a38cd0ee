// HTTP/2 load end to end, as a user runs it: `sockcap run` against the built-in target
// (h2c and h2 over TLS) and nginx (h2c and TLS), read back from summary.csv, errors.csv
// and run.json.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startNginx } from '../scripts/bench/nginx.js';
import type { ServerProcess } from '../scripts/bench/processes.js';
import { generatedCertificate } from '../src/target/certificate.js';
import type { TlsMaterial } from '../src/target/certificate.js';
import { cellNumber, onlyRunDir, readCsv, readJson, runCli, tempDir, writeScenario } from './helpers/cli.js';

interface RunJson {
  steps: { targetCounted: { requests: number; connectionsAccepted: number } }[];
}

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
  row: Record<string, string>;
  errors: Record<string, number>;
  run: RunJson;
}

async function run(scenario: string): Promise<Finished> {
  const dir = tempDir('sockcap-h2-');
  const file = writeScenario(dir, 'h2.yaml', `name: h2\nduration: 1500ms\nwarmup: 0s\nworkers: 1\n${scenario}`);
  const { code, stdout, stderr } = await runCli(['run', file, '--out', join(dir, 'results')], dir);
  const runDir = onlyRunDir(join(dir, 'results'));
  const errors: Record<string, number> = {};
  for (const line of readCsv(join(runDir, 'errors.csv'))) errors[line.code!] = cellNumber(line, 'count');
  return { code, stdout, stderr, row: readCsv(join(runDir, 'summary.csv'))[0]!, errors, run: readJson<RunJson>(join(runDir, 'run.json')) };
}

describe('HTTP/2 against the built-in target', () => {
  test('h2c: 4 connections × 25 streams ride on 4 sockets', async () => {
    const {
      code,
      stderr,
      row,
      run: doc,
    } = await run(`connections: 4
http: { version: 2, streams: 25 }
server: { http2: true, responseDelay: 20ms }
`);
    assert.equal(code, 0, stderr);
    assert.equal(row.http_version, '2');
    assert.equal(cellNumber(row, 'errors'), 0);
    assert.equal(cellNumber(row, 'streams_peak_per_conn'), 25);
    assert.equal(cellNumber(row, 'server_max_streams'), 128);
    assert.equal(doc.steps[0]!.targetCounted.connectionsAccepted, 4, 'the server saw 4 sockets');
    assert.equal(cellNumber(row, 'requests'), doc.steps[0]!.targetCounted.requests);
    assert.equal(cellNumber(row, 'requests_per_conn'), Math.round((cellNumber(row, 'requests') / 4) * 10) / 10);
    assert.ok(cellNumber(row, 'requests') > 4 * 25, `${row.requests} requests: more than one round of streams`);
  });

  test('h2 over TLS by ALPN, with the generated certificate', async () => {
    const {
      code,
      stderr,
      row,
      run: doc,
    } = await run(`connections: 2
http: { version: 2, streams: 10 }
server: { http2: true, tls: true, responseDelay: 10ms }
`);
    assert.equal(code, 0, stderr);
    assert.equal(row.http_version, '2');
    assert.equal(cellNumber(row, 'errors'), 0);
    assert.equal(cellNumber(row, 'streams_peak_per_conn'), 10);
    assert.equal(doc.steps[0]!.targetCounted.connectionsAccepted, 2);
  });

  test('a server allowing 1 stream caps every connection at 1, with nothing refused', async () => {
    const { code, stderr, row } = await run(`connections: 2
http: { version: 2, streams: 10 }
server: { http2: true, maxConcurrentStreams: 1, responseDelay: 5ms }
`);
    assert.equal(code, 0, stderr);
    assert.equal(cellNumber(row, 'server_max_streams'), 1);
    assert.equal(cellNumber(row, 'streams_peak_per_conn'), 1);
    assert.equal(cellNumber(row, 'streams_refused'), 0);
    assert.equal(cellNumber(row, 'errors'), 0);
    assert.ok(cellNumber(row, 'requests') > 0);
  });

  test('GOAWAY after max requests mid-run: counted, and the load goes on over new connections', async () => {
    const {
      code,
      stderr,
      row,
      run: doc,
    } = await run(`connections: 2
http: { version: 2, streams: 4 }
server: { http2: true, maxRequestsPerSocket: 20, responseDelay: 2ms }
`);
    assert.equal(code, 0, stderr);
    assert.ok(cellNumber(row, 'goaways') >= 2, `${row.goaways} GOAWAYs`);
    // The 20th client stream has id 39.
    assert.equal(cellNumber(row, 'goaway_last_stream_id'), 39);
    const accepted = doc.steps[0]!.targetCounted.connectionsAccepted;
    assert.ok(accepted > 2 && cellNumber(row, 'new_connections') === accepted, `${accepted} connections accepted, ${row.new_connections} opened`);
    assert.ok(cellNumber(row, 'requests') > 2 * 20, `${row.requests} requests`);
    // Streams past the GOAWAY's last stream id were refused and sent again on a new connection.
    assert.equal(cellNumber(row, 'errors'), 0);
  });

  test('a request slower than http.timeout fails as timeout, its stream cancelled, its connection kept', async () => {
    const {
      code,
      stderr,
      row,
      errors,
      run: doc,
    } = await run(`connections: 2
http: { version: 2, streams: 4, timeout: 150ms }
server: { http2: true, responseDelay: 400ms }
verdict: { maxErrorRate: off, requireSuccess: false }
`);
    assert.equal(code, 0, stderr);
    assert.equal(cellNumber(row, 'requests'), 0);
    assert.ok((errors.timeout ?? 0) >= 2 * 4, `${errors.timeout} timeouts: every stream in flight timed out`);
    assert.deepEqual(Object.keys(errors), ['timeout']);
    assert.equal(doc.steps[0]!.targetCounted.connectionsAccepted, 2, 'a cancelled stream leaves its connection open');
  });

  test('arrival-rate, hold and connect workloads run over HTTP/2', async () => {
    const rate = await run(`workload: arrival-rate
rate: 200/s
connections: 2
http: { version: 2, streams: 8 }
server: { http2: true, responseDelay: 5ms }
`);
    assert.equal(rate.code, 0, rate.stderr);
    assert.equal(cellNumber(rate.row, 'errors'), 0);
    assert.ok(Math.abs(cellNumber(rate.row, 'requests') - 300) <= 30, `${rate.row.requests} requests at 200/s for 1.5 s`);
    // Open model: latency counts from the intended send, service time from the actual one.
    assert.ok(cellNumber(rate.row, 'service_time_p50_ms') > 0);
    assert.ok(cellNumber(rate.row, 'latency_p99_ms') >= cellNumber(rate.row, 'service_time_p99_ms'));
    const hold = await run(`workload: hold
connections: 6
http: { version: 2 }
server: { http2: true }
`);
    assert.equal(hold.code, 0, hold.stderr);
    assert.equal(hold.run.steps[0]!.targetCounted.connectionsAccepted, 6);
    assert.equal(cellNumber(hold.row, 'connections_peak'), 6);
    const cycle = await run(`workload: connect
connections: 3
http: { version: 2 }
server: { http2: true }
`);
    assert.equal(cycle.code, 0, cycle.stderr);
    assert.ok(cycle.run.steps[0]!.targetCounted.connectionsAccepted > 3, 'connections were cycled');
    assert.equal(cellNumber(cycle.row, 'errors'), 0);
  });

  test('auto against the HTTP/1.1-only TLS target falls back and says so', async () => {
    const { code, stderr, row } = await run(`connections: 2
http: { version: auto }
server: { tls: true }
`);
    assert.equal(code, 0, stderr);
    assert.equal(row.http_version, '1.1');
    assert.equal(cellNumber(row, 'errors'), 0);
    assert.ok(cellNumber(row, 'requests') > 0);
    assert.match(stderr, /http\.version auto in step main: 2 connections fell back to HTTP\/1\.1, 0 spoke HTTP\/2 \(the server's ALPN did not offer h2\)/);
  });

  test('auto against the HTTP/2 TLS target speaks HTTP/2', async () => {
    const { code, stderr, row } = await run(`connections: 2
http: { version: auto, streams: 4 }
server: { http2: true, tls: true }
`);
    assert.equal(code, 0, stderr);
    assert.equal(row.http_version, '2');
    assert.equal(cellNumber(row, 'streams_peak_per_conn'), 4);
    assert.doesNotMatch(stderr, /fell back/);
  });
});

describe('HTTP/2 against nginx', () => {
  let cert: TlsMaterial;
  let caFile: string;
  const servers: ServerProcess[] = [];
  before(async () => {
    cert = await generatedCertificate();
    caFile = join(tempDir('sockcap-h2-ca-'), 'ca.pem');
    writeFileSync(caFile, cert.cert);
  });
  after(async () => {
    for (const server of servers) await server.stop();
  });
  const nginx = async (options: Parameters<typeof startNginx>[0]): Promise<string> => {
    const server = await startNginx({ ...options, cert });
    servers.push(server);
    return server.url;
  };

  test('h2c and TLS: 2 connections × 20 streams on 2 sockets', async () => {
    for (const url of [await nginx({ http2: 'h2c' }), await nginx({ http2: 'tls' })]) {
      const { code, stderr, row } = await run(`target: ${url}
connections: 2
tls: { ca: ${caFile} }
http: { version: 2, streams: 20 }
`);
      assert.equal(code, 0, stderr);
      assert.equal(row.http_version, '2', url);
      assert.equal(cellNumber(row, 'errors'), 0, url);
      assert.equal(cellNumber(row, 'new_connections'), 2, url);
      assert.equal(cellNumber(row, 'streams_peak_per_conn'), 20, url);
      assert.equal(cellNumber(row, 'server_max_streams'), 128, url);
    }
  });

  test('http2_max_concurrent_streams 1 caps the streams', async () => {
    const url = await nginx({ http2: 'h2c', maxConcurrentStreams: 1 });
    const { code, stderr, row } = await run(`target: ${url}\nconnections: 2\nhttp: { version: 2, streams: 10 }\n`);
    assert.equal(code, 0, stderr);
    assert.equal(cellNumber(row, 'streams_peak_per_conn'), 1);
    assert.equal(cellNumber(row, 'errors'), 0);
  });

  test('keepalive_requests sends GOAWAY mid-run: counted, reconnected, refused streams counted and sent again', async () => {
    const url = await nginx({ http2: 'h2c', keepaliveRequests: 20 });
    const { code, stderr, row } = await run(`target: ${url}\nconnections: 2\nhttp: { version: 2, streams: 8 }\n`);
    assert.equal(code, 0, stderr);
    assert.ok(cellNumber(row, 'goaways') >= 2, `${row.goaways} GOAWAYs`);
    assert.equal(cellNumber(row, 'goaway_last_stream_id'), 39);
    assert.ok(cellNumber(row, 'new_connections') > 2);
    // 8 streams in flight when the GOAWAY for stream 39 comes: the ones after it are refused.
    assert.ok(cellNumber(row, 'streams_refused') > 0, `${row.streams_refused} refused`);
    assert.equal(cellNumber(row, 'errors'), 0);
  });

  test('a stream nginx resets is counted by its RST_STREAM code', async () => {
    const url = await nginx({ http2: 'h2c' });
    const { row, errors } = await run(`target: ${url}reset\nconnections: 1\nhttp: { version: 2, streams: 2 }\n`);
    assert.equal(cellNumber(row, 'requests'), 0);
    assert.ok(cellNumber(row, 'stream_resets') > 0);
    assert.equal(cellNumber(row, 'errors'), cellNumber(row, 'stream_resets'));
    assert.equal(errors.h2_rst_protocol_error, cellNumber(row, 'stream_resets'));
  });

  test('auto against nginx over TLS without http2 falls back to HTTP/1.1 and says so', async () => {
    const url = await nginx({ tls: true });
    const { code, stderr, row } = await run(`target: ${url}\nconnections: 2\ntls: { ca: ${caFile} }\nhttp: { version: auto }\n`);
    assert.equal(code, 0, stderr);
    assert.equal(row.http_version, '1.1');
    assert.equal(cellNumber(row, 'errors'), 0);
    assert.match(stderr, /2 connections fell back to HTTP\/1\.1, 0 spoke HTTP\/2/);
  });
});
