// scenarios/h1-vs-h2.yaml as shipped (shortened with --set): the same offered load over
// HTTP/1.1 keep-alive on 50 sockets, HTTP/2 on 50 sockets × 1 stream and HTTP/2 on 2 sockets ×
// 25 streams, each step's row carrying what the comparison reads: sockets held, the version and
// the multiplexing, client and server memory and CPU, and latency.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cellNumber, onlyRunDir, readCsv, runCli, tempDir } from './helpers/cli.js';

const scenario = fileURLToPath(new URL('../../scenarios/h1-vs-h2.yaml', import.meta.url));

test('h1-vs-h2: three steps at the same rate, the multiplexed one on 2 sockets, every compared figure filled', async () => {
  const dir = tempDir('sockcap-h1-vs-h2-');
  const { code, stderr } = await runCli(
    // Answers of 40 ms keep about 4 requests in flight at 100/s: a free connection is reused first,
    // so with the shipped 10 ms a fast client (the lean HTTP/2 path) needed no third socket at times.
    [
      'run',
      scenario,
      '--out',
      join(dir, 'results'),
      '--set',
      'duration=1500ms',
      '--set',
      'warmup=500ms',
      '--set',
      'rate=100/s',
      '--set',
      'server.responseDelay=40ms',
    ],
    dir,
  );
  assert.equal(code, 0, stderr);
  const rows = readCsv(join(onlyRunDir(join(dir, 'results')), 'summary.csv'));
  assert.deepEqual(
    rows.map((row) => [row.step, row.http_version]),
    [
      ['h1-keepalive', '1.1'],
      ['h2-50x1', '2'],
      ['h2-2x25', '2'],
    ],
  );
  // Connections open with their first request: the one-stream steps spread the load over many sockets, the multiplexed one holds 2.
  assert.deepEqual(
    rows.map((row) => cellNumber(row, 'connections_peak') > 2),
    [true, true, false],
  );
  assert.equal(cellNumber(rows[2], 'connections_peak'), 2);
  for (const row of rows) {
    assert.equal(cellNumber(row, 'errors'), 0, row.step);
    // 150 at 100/s for 1.5 s, more when the warm-up's backlog (50 TLS handshakes on a busy machine) is caught up.
    assert.ok(cellNumber(row, 'requests') >= 120, `${row.step}: ${row.requests} requests at 100/s for 1.5 s`);
    for (const column of [
      'client_rss_mib',
      'server_rss_mib',
      'client_cpu_pct',
      'server_cpu_pct',
      'latency_p50_ms',
      'latency_p99_ms',
      'bytes_sent',
      'bytes_received',
    ]) {
      assert.ok(cellNumber(row, column) > 0, `${row.step}: ${column} ${row[column]}`);
    }
  }
  const [, oneStream, multiplexed] = rows;
  assert.equal(cellNumber(oneStream, 'streams_peak_per_conn'), 1);
  assert.ok(cellNumber(multiplexed, 'streams_peak_per_conn') > 1, `${multiplexed!.streams_peak_per_conn} streams at once on a connection`);
  // Every request of the multiplexed step rode on its 2 sockets.
  assert.equal(cellNumber(multiplexed, 'requests_per_conn'), Math.round((cellNumber(multiplexed, 'requests') / 2) * 10) / 10);
  assert.ok(cellNumber(multiplexed, 'requests_per_conn') > cellNumber(oneStream, 'requests_per_conn'));
});
