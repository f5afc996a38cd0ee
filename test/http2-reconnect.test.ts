// HTTP/2 connections that end and come back, and scripted sessions over HTTP/2, through the
// CLI against the built-in target: a reconnect storm (the target drops every connection at
// once), a target whose idle timeout sends GOAWAY again and again (the clients back off and
// every GOAWAY and reconnect is counted), and sessions over h2 by ALPN, or falling back, which
// count GOAWAYs, refused streams and RST_STREAM codes as every other workload does.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { cellNumber, onlyRunDir, readCsv, readJson, runCli, tempDir, writeScenario } from './helpers/cli.js';
import { startGoawayServer } from './servers/goaway-server.js';
import { startRefusingH2Server } from './servers/h2-refusing-server.js';

interface Finished {
  code: number | null;
  stderr: string;
  row: Record<string, string>;
  errors: Map<string, number>;
  /** Connections the built-in target accepted (0 against an external target). */
  accepted: number;
}

async function run(scenario: string): Promise<Finished> {
  const dir = tempDir('sockcap-h2-reconnect-');
  const file = writeScenario(dir, 'h2.yaml', `name: h2\nworkers: 1\ninterval: 500ms\n${scenario}`);
  const { code, stderr } = await runCli(['run', file, '--out', join(dir, 'results')], dir);
  const runDir = onlyRunDir(join(dir, 'results'));
  const doc = readJson<{ steps: { targetCounted: { connectionsAccepted: number } }[] }>(join(runDir, 'run.json'));
  const errors = new Map(readCsv(join(runDir, 'errors.csv')).map((row) => [row.code!, cellNumber(row, 'count')]));
  return { code, stderr, row: readCsv(join(runDir, 'summary.csv'))[0]!, errors, accepted: doc.steps[0]?.targetCounted?.connectionsAccepted ?? 0 };
}

test('a reconnect storm over HTTP/2: the target drops every connection, every client comes back and is counted', async () => {
  const { code, stderr, row } = await run(`workload: reconnect-storm
connections: 100
duration: 3s
warmup: 0s
http: { version: 2 }
server: { http2: true }
reconnect: { dropAt: 1s, backoff: 300ms, jitter: true }
verdict: { maxErrorRate: off }
`);
  assert.equal(code, 0, stderr);
  assert.equal(row.http_version, '2');
  assert.equal(cellNumber(row, 'reconnects'), 100, `reconnects ${row.reconnects}`);
  assert.equal(cellNumber(row, 'connections_peak'), 100);
  assert.ok(cellNumber(row, 'reconnect_max_ms') < 2000, `everyone back within ${row.reconnect_max_ms} ms`);
});

test('a target that sends GOAWAY on every idle connection again and again: clients back off, GOAWAYs and reconnects counted', async (t) => {
  const connections = 10;
  const { code, stderr, row, accepted } = await run(`workload: hold
connections: ${connections}
duration: 3s
warmup: 0s
http: { version: 2 }
server: { http2: true, keepAliveTimeout: 300ms }
reconnect: { backoff: 500ms, jitter: false }
`);
  assert.equal(code, 0, stderr);
  // Each connection idles 300 ms, gets a GOAWAY, waits the 500 ms backoff and comes back: about
  // 3 s / 0.8 s cycles each. Without the backoff they would come back at once, 10 cycles each.
  const goaways = cellNumber(row, 'goaways');
  assert.ok(goaways >= 2 * connections, `${goaways} GOAWAYs`);
  assert.ok(cellNumber(row, 'reconnects') >= 2 * connections, `reconnects ${row.reconnects}`);
  t.diagnostic(`${goaways} GOAWAYs, ${row.reconnects} reconnects, ${accepted} accepted`);
  assert.ok(accepted <= connections * 5, `${accepted} connections accepted: the clients did not wait the backoff`);
  assert.equal(cellNumber(row, 'goaway_last_stream_id'), 1, 'each connection carried its one opening request');
  assert.equal(cellNumber(row, 'errors'), 0, 'a GOAWAY with NO_ERROR is no error');
});

test('a GOAWAY carrying an error code: counted with its code and last stream id, the requests it took down fail with that code, the load goes on over new connections', async () => {
  const server = await startGoawayServer(9);
  try {
    const { code, stderr, row, errors } = await run(`target: ${server.url}
connections: 2
duration: 1s
warmup: 0s
http: { version: 2, streams: 2 }
verdict: { maxErrorRate: off }
`);
    assert.equal(code, 0, stderr);
    const goaways = cellNumber(row, 'goaways');
    assert.ok(goaways >= 4, `${goaways} GOAWAYs`);
    // Every error carries the GOAWAY's code: the GOAWAYs themselves, and the requests node:http2
    // took down with a session a GOAWAY with an error ended (no stream was reset by the server).
    assert.deepEqual([...errors.keys()], ['h2_goaway_enhance_your_calm']);
    assert.ok(errors.get('h2_goaway_enhance_your_calm')! >= goaways);
    assert.ok(cellNumber(row, 'streams_refused') > 0, `${row.streams_refused} streams refused`);
    assert.equal(cellNumber(row, 'stream_resets'), 0);
    // The 9th stream (id 17) was the last one answered before each GOAWAY; the one sent beside it
    // (id 19) was never processed, so it is counted as refused and sent again on the next connection.
    assert.equal(cellNumber(row, 'goaway_last_stream_id'), 17);
    assert.ok(server.counts.connections >= 4, `${server.counts.connections} connections`);
    assert.ok(cellNumber(row, 'requests') >= 30, `${row.requests} requests`);
  } finally {
    await server.close();
  }
});

const session = `http:
  VERSION
  session:
    open:
      - request: { path: /login }
        expect: { status: 200 }
    loop:
      - name: page
        request: { path: /page }
        expect: { status: 200 }
`;

test('a session over h2 by ALPN against the HTTP/2 TLS target: one connection per session', async () => {
  const { code, stderr, row, accepted } = await run(`connections: 3
duration: 1s
server: { http2: true, tls: true }
${session.replace('VERSION', 'version: auto')}`);
  assert.equal(code, 0, stderr);
  assert.equal(row.http_version, '2');
  assert.equal(cellNumber(row, 'errors'), 0);
  assert.equal(cellNumber(row, 'sessions_opened'), 3);
  assert.equal(accepted, 3);
  assert.ok(cellNumber(row, 'requests') > 3 * 5, `${row.requests} requests`);
  assert.doesNotMatch(stderr, /fell back/);
});

test('a session with http.version auto against the HTTP/1.1-only TLS target falls back and says so', async () => {
  const { code, stderr, row } = await run(`connections: 2
duration: 1s
server: { tls: true }
${session.replace('VERSION', 'version: auto')}`);
  assert.equal(code, 0, stderr);
  assert.equal(row.http_version, '1.1');
  assert.equal(cellNumber(row, 'sessions_opened'), 2);
  assert.match(stderr, /http\.version auto in step main: 2 connections fell back to HTTP\/1\.1, 0 spoke HTTP\/2/);
});

const h2Session = (loop: string): string => `http:
  version: 2
  session:
    open:
      - request: { path: /login }
    loop:
${loop}`;

test('a session over HTTP/2 whose target sends GOAWAY after 5 requests: every GOAWAY counted with its last stream id, the session goes on over new connections', async () => {
  const { code, stderr, row, accepted } = await run(`connections: 2
duration: 1s
warmup: 0s
server: { http2: true, maxRequestsPerSocket: 5 }
${h2Session('      - request: { path: /page }\n')}`);
  assert.equal(code, 0, stderr);
  assert.equal(row.http_version, '2');
  const requests = cellNumber(row, 'requests');
  assert.ok(requests > 4 * 5, `${requests} requests`);
  // One GOAWAY per 5 requests of a connection; the last connection of each session may end before its 5th.
  assert.ok(cellNumber(row, 'goaways') >= Math.floor(requests / 5) - 2, `${row.goaways} GOAWAYs for ${requests} requests`);
  // The 5th client stream has id 9.
  assert.equal(cellNumber(row, 'goaway_last_stream_id'), 9);
  assert.equal(cellNumber(row, 'new_connections'), accepted);
  assert.ok(accepted > 2, `${accepted} connections accepted`);
  assert.equal(cellNumber(row, 'errors'), 0, 'a GOAWAY with NO_ERROR is no error; a stream sent past it is sent again');
});

test('a session over HTTP/2: refused streams are counted and sent again, a reset stream fails its step with its RST_STREAM code', async () => {
  const server = await startRefusingH2Server(4);
  try {
    const { code, stderr, row, errors } = await run(`target: ${server.url}
connections: 2
duration: 1s
warmup: 0s
verdict: { maxErrorRate: off }
reconnect: { backoff: 10ms, jitter: false }
${h2Session(`${'      - request: { path: /page }\n'.repeat(3)}      - name: broken\n        request: { path: /reset }\n`)}`);
    assert.equal(code, 0, stderr);
    assert.ok(server.counts.refused > 0 && server.counts.reset > 0, JSON.stringify(server.counts));
    assert.equal(cellNumber(row, 'streams_refused'), server.counts.refused);
    assert.equal(cellNumber(row, 'stream_resets'), server.counts.reset);
    // Every refused stream was sent again and answered; the resets are the only errors.
    assert.deepEqual([...errors.keys()], ['h2_rst_internal_error']);
    assert.equal(errors.get('h2_rst_internal_error'), server.counts.reset);
    assert.equal(cellNumber(row, 'reply:broken_failures'), server.counts.reset);
  } finally {
    await server.close();
  }
});
