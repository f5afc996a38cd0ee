// "Empty means not measured", in every file a run writes: a figure a step did not measure is an
// empty CSV cell, `-` on the console and in Markdown and report.html, and null in run.json;
// never 0. Per-connection costs are filled only for workloads that hold connections.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startStallServer, type StallServer } from './servers/stall-server.js';
import { cellNumber, onlyRunDir, readCsv, readJson, runCli, tempDir, writeScenario } from './helpers/cli.js';

interface StepDocument {
  summary: Record<string, string | number | boolean | null>;
  costs: Record<string, number | null>;
}

const costColumns = ['client_kib_per_conn', 'server_kib_per_conn', 'kernel_kib_per_conn', 'server_cpu_ms_per_conn'];
const costKeys = ['clientKibPerConn', 'serverKibPerConn', 'kernelKibPerConn', 'serverCpuMsPerConn'];

let stall: StallServer;

// Accepts every request and answers none within a test's lifetime.
before(async () => (stall = await startStallServer({ stallMs: 600_000, periodMs: 1_200_000 })));
after(() => stall.close());

test('a target that never answers: latency is empty in summary.csv and timeseries.csv, null in run.json, - on the console, in Markdown and report.html', async () => {
  const dir = tempDir();
  const markdown = join(dir, 'summary.md');
  const { code, stdout, stderr } = await runCli(
    ['run', '--target', stall.url, '-c', '2', '-d', '1s', '-w', '1', '--out', join(dir, 'results'), '--markdown', markdown],
    dir,
  );
  // Nothing succeeded: the default verdict fails the run.
  assert.equal(code, 1, stderr);
  const runDir = onlyRunDir(join(dir, 'results'));
  const [row] = readCsv(join(runDir, 'summary.csv'));
  for (const column of [
    'latency_p50_ms',
    'latency_p99_ms',
    'latency_max_ms',
    'latency_mean_ms',
    'service_time_p50_ms',
    'handshake_p50_ms',
    'delivery_p50_ms',
    'events',
    'lost',
    ...costColumns,
  ]) {
    assert.equal(row?.[column], '', `${column} is empty, not 0 (row: ${JSON.stringify(row)})`);
  }
  // What was measured is there: the connections opened, and the requests that never came back as errors.
  assert.ok(cellNumber(row, 'connect_p50_ms') > 0);
  assert.ok(cellNumber(row, 'errors') > 0);
  for (const interval of readCsv(join(runDir, 'timeseries.csv'))) {
    assert.equal(interval.latency_p50_ms, '', JSON.stringify(interval));
    assert.equal(interval.latency_p99_ms, '', JSON.stringify(interval));
  }
  const document = readJson<{ steps: StepDocument[] }>(join(runDir, 'run.json'));
  const summary = document.steps[0]!.summary;
  assert.equal(summary.latency_p50_ms, null);
  assert.equal(summary.handshake_p50_ms, null);
  assert.equal(summary.client_kib_per_conn, null);
  assert.equal(typeof summary.connect_p50_ms, 'number');
  for (const key of costKeys) assert.equal(document.steps[0]!.costs[key], null, key);
  // The console's table: p50, p99, p99.9 and max are `-`.
  const tableRow = stdout.split('\n').find((line) => line.startsWith('main '));
  assert.ok(tableRow, stdout);
  assert.match(tableRow, /\s-\s+-\s+-\s+-\s/, tableRow);
  assert.doesNotMatch(stdout, /0\.00 ms/);
  assert.match(readFileSync(markdown, 'utf8'), /\| main \| http \| 2 \| 0 \| \d+ \| - \| - \| - \|/);
  const report = readFileSync(join(runDir, 'report.html'), 'utf8');
  assert.match(report, /<td>latency<\/td><td>-<\/td><td>-<\/td><td>-<\/td><td>-<\/td>/);
});

test('cost per connection is filled for a hold step and empty for a closed step, in summary.csv, capacity.csv and run.json', async () => {
  const dir = tempDir();
  const file = writeScenario(
    dir,
    'costs.yaml',
    [
      'name: costs',
      'workers: 1',
      'interval: 500ms',
      'steps:',
      '  - name: requests',
      '    protocol: http',
      '    connections: 4',
      '    duration: 1s',
      '    warmup: 0s',
      '  - name: held',
      '    protocol: websocket',
      '    workload: hold',
      '    connections: 50',
      '    warmup: 1s',
      '    duration: 1s',
      '',
    ].join('\n'),
  );
  const { code, stderr } = await runCli(['run', file, '--out', join(dir, 'results')], dir);
  assert.equal(code, 0, stderr);
  const runDir = onlyRunDir(join(dir, 'results'));
  const [requests, held] = readCsv(join(runDir, 'summary.csv'));
  for (const column of costColumns) {
    assert.equal(requests?.[column], '', `${column} is empty for a closed step`);
    cellNumber(held, column);
  }
  // HTTP has no upgrade and no TLS here; a closed loop has no service time apart from its latency.
  for (const column of ['handshake_p50_ms', 'tls_handshake_p50_ms', 'service_time_p50_ms', 'reconnect_p50_ms', 'events'])
    assert.equal(requests?.[column], '', column);
  assert.ok(cellNumber(requests, 'latency_p50_ms') > 0);
  assert.ok(cellNumber(held, 'handshake_p50_ms') > 0);
  const capacity = readCsv(join(runDir, 'capacity.csv'));
  assert.deepEqual(
    capacity.map((row) => row.step),
    ['held'],
  );
  // A WebSocket over plain TCP: connect and handshake measured, TLS not.
  cellNumber(capacity[0], 'handshake_p99_ms');
  const document = readJson<{ steps: StepDocument[] }>(join(runDir, 'run.json'));
  for (const key of costKeys) {
    assert.equal(document.steps[0]!.costs[key], null, key);
    assert.equal(typeof document.steps[1]!.costs[key], 'number', key);
  }
  assert.equal(document.steps[0]!.summary.tls_handshake_p50_ms, null);
});

test('sweep.csv leaves what a combination did not measure empty', async () => {
  const dir = tempDir();
  const file = writeScenario(dir, 'sweep.yaml', 'name: sweep-empty\nprotocol: http\nwarmup: 0s\ninterval: 500ms\n');
  // sweep takes run's shorthands: -c, -d, -w.
  const { code, stderr } = await runCli(['sweep', file, '--vary', 'thinkTime=0s', '-c', '2', '-d', '1s', '-w', '1', '--out', join(dir, 'results')], dir);
  assert.equal(code, 0, stderr);
  const runDir = onlyRunDir(join(dir, 'results'));
  assert.ok(existsSync(join(runDir, 'sweep.csv')));
  const [row] = readCsv(join(runDir, 'sweep.csv'));
  for (const column of ['handshake_p50_ms', 'service_time_p50_ms', 'race_idle_p50_ms', 'latency_newcomer_p50_ms', ...costColumns]) {
    assert.equal(row?.[column], '', `${column} is empty (row: ${JSON.stringify(row)})`);
  }
  assert.ok(cellNumber(row, 'latency_p99_ms') > 0);
});
