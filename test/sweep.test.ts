// `sockcap sweep`: interrupted sweeps keep their finished rows and --resume runs only the
// rest into the same folder; external targets allow only client-side dimensions and record
// the server timeout the sweep assumed; mistakes are one line and exit 2.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cellNumber, onlyRunDir, readCsv, readJson, runCli, startCli, tempDir, testDir, writeScenario } from './helpers/cli.js';
import { startIdleCloseServer } from './servers/idle-close-server.js';

const small = 'name: sweep-e2e\nconnections: 2\nduration: 1500ms\ninterval: 500ms\nworkers: 1\n';

test('an interrupted sweep keeps its finished rows, and --resume runs only the missing combinations into the same folder', async (t) => {
  const dir = testDir(t);
  const file = writeScenario(dir, 'sweep.yaml', small);
  const results = join(dir, 'results');
  const { child, result } = startCli(['sweep', file, '--vary', 'thinkTime=0ms,20ms,40ms', '--out', results, '--quiet'], dir);
  // Stop as soon as the first combination has its row and the next one has written an interval row.
  let runDir: string | undefined;
  for (let waited = 0; waited < 60_000; waited += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    if (!existsSync(results)) continue;
    runDir = onlyRunDir(results);
    const finished = existsSync(join(runDir, 'sweep.csv')) ? readCsv(join(runDir, 'sweep.csv')).length : 0;
    const started = existsSync(join(runDir, 'timeseries.csv')) ? new Set(readCsv(join(runDir, 'timeseries.csv')).map((row) => row.step)).size : 0;
    if (finished >= 1 && started > finished) break;
  }
  child.kill('SIGINT');
  const interrupted = await result;
  assert.equal(interrupted.code, 3, interrupted.stderr);
  assert.ok(runDir);
  const before = readCsv(join(runDir, 'sweep.csv'));
  assert.ok(before.length >= 1 && before.length < 3, `rows after the interrupt: ${before.length}`);
  assert.equal(readJson<{ status: string }>(join(runDir, 'run.json')).status, 'interrupted');
  // As if the process had been killed while writing an interval: its last line cut short.
  const log = join(runDir, 'intervals.jsonl');
  writeFileSync(log, readFileSync(log, 'utf8').slice(0, -40));
  // And timeseries.csv killed a few characters into a row.
  const series = join(runDir, 'timeseries.csv');
  const seriesText = readFileSync(series, 'utf8');
  writeFileSync(series, seriesText.slice(0, seriesText.lastIndexOf('\n', seriesText.length - 2) + 6));

  const resumed = await runCli(['sweep', '--resume', runDir, '--quiet'], dir);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, new RegExp(`resuming .*: ${before.length} of 3 combinations done`));
  const after = readCsv(join(runDir, 'sweep.csv'));
  assert.deepEqual(
    after.map((row) => [row.step_index, row.thinkTime]),
    [
      ['0', '0ms'],
      ['1', '20ms'],
      ['2', '40ms'],
    ],
  );
  // The finished row is the one measured before the interrupt, not a re-run.
  assert.deepEqual(after[0], before[0]);
  assert.equal(readCsv(join(runDir, 'summary.csv')).length, 3);
  const run = readJson<{ runId: string; status: string; steps: { index: number }[] }>(join(runDir, 'run.json'));
  assert.equal(run.status, 'completed');
  assert.deepEqual(run.steps.map((step) => step.index).sort(), [0, 1, 2]);
  assert.match(resumed.stdout, /(?:no )?best for lowest p99 latency at zero keep-alive races: thinkTime=\S+ \(latency_p99_ms [\d.]+ ms, on [\d,]+ requests/);
  // intervals.jsonl: the cut line dropped, not glued to the next one; a step run again replaced its interrupted lines.
  const intervals = readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { stepIndex: number; elapsedS: number });
  for (const index of [0, 1, 2]) {
    const times = intervals.filter((record) => record.stepIndex === index).map((record) => record.elapsedS);
    assert.ok(times.length > 0, `step ${index} has its intervals`);
    assert.deepEqual(
      times,
      [...new Set(times)].sort((a, b) => a - b),
      `step ${index}: each interval once, in order`,
    );
  }
  // timeseries.csv likewise: the interrupted step's rows gave way to its re-run's, so each step's rows appear once.
  const timeseries = readCsv(series);
  assert.deepEqual([...new Set(timeseries.map((row) => row.run_id))], [run.runId], 'no row glued onto the cut one');
  const labels = [...new Set(timeseries.map((row) => row.step))];
  assert.equal(labels.length, 3, `steps in timeseries.csv: ${labels.join(', ')}`);
  for (const label of labels) {
    const rows = timeseries.filter((row) => row.step === label).map((row) => `${row.phase} ${row.elapsed_s}`);
    assert.ok(rows.length > 0, `step ${label} has its rows`);
    assert.deepEqual(rows, [...new Set(rows)], `step ${label}: each interval's row once`);
    const times = timeseries.filter((row) => row.step === label).map((row) => cellNumber(row, 'elapsed_s'));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
      `step ${label}: rows in order`,
    );
  }
  // The steps follow one another as they ran: no step's rows come back after another step's.
  assert.deepEqual(
    timeseries.map((row) => row.step).filter((label, i, all) => label !== all[i - 1]),
    labels,
  );
});

test('the best combination is named with what it was measured on, beyond the runner-up by more than the noise', async (t) => {
  const dir = testDir(t);
  const file = writeScenario(dir, 'sweep.yaml', small);
  // 30 ms more at the target is far beyond any interval-to-interval variation of this machine.
  const { code, stdout, stderr } = await runCli(['sweep', file, '--vary', 'server.responseDelay=30ms,0ms', '--out', join(dir, 'results'), '--quiet'], dir);
  assert.equal(code, 0, stderr);
  const rows = readCsv(join(onlyRunDir(join(dir, 'results')), 'sweep.csv'));
  const fast = rows.find((row) => row['server.responseDelay'] === '0ms')!;
  assert.match(
    stdout,
    new RegExp(
      `best for lowest p99 latency at zero keep-alive races: server\\.responseDelay=0ms \\(latency_p99_ms [\\d.]+ ms, on ${cellNumber(fast, 'requests').toLocaleString('en-US')} requests, .*\\); runner-up server\\.responseDelay=30ms [\\d.]+ ms apart, noise ±[\\d.]+ ms`,
    ),
  );
});

test('an external target: --probe finds its idle timeout and run.json and sweep.csv record it', async () => {
  const server = await startIdleCloseServer(1000);
  try {
    const dir = tempDir();
    const file = writeScenario(dir, 'external.yaml', `${small}target: ${server.url}\nhttp: { honourServerHint: false }\n`);
    const { code, stderr } = await runCli(
      ['sweep', file, '--vary', 'http.keepAliveTimeout=500ms,2s', '--probe', '--max-idle', '3s', '--out', join(dir, 'results'), '--quiet'],
      dir,
    );
    assert.equal(code, 0, stderr);
    assert.match(stderr, /probe: keep-alive idle timeout: /);
    const runDir = onlyRunDir(join(dir, 'results'));
    const run = readJson<{ sweep: { serverTimeout: { ms: number; source: string; resolutionMs: number } } }>(join(runDir, 'run.json'));
    assert.equal(run.sweep.serverTimeout.source, 'probe');
    assert.ok(Math.abs(run.sweep.serverTimeout.ms - 1000) <= 250, `probed ${run.sweep.serverTimeout.ms} ms`);
    const rows = readCsv(join(runDir, 'sweep.csv'));
    assert.equal(rows.length, 2);
    for (const row of rows) {
      assert.equal(cellNumber(row, 'server_keepalive_timeout_ms'), run.sweep.serverTimeout.ms);
      assert.equal(row.server_timeout_source, 'probe');
      // Nothing of the server's is measured from outside.
      assert.equal(row.idle_server_sockets, '');
    }
  } finally {
    await server.close();
  }
});

test('mistakes are one line naming the flag, and exit 2', async (t) => {
  const dir = testDir(t);
  const plain = writeScenario(dir, 'plain.yaml', small);
  const cases: [string[], RegExp][] = [
    [['sweep', plain], /give at least one --vary/],
    [['sweep', plain, '--vary', 'server.keepAliveTimeout=abc'], /--vary \(server\.keepAliveTimeout=abc\): server\.keepAliveTimeout: expected a duration/],
    [['sweep', plain, '--vary', 'thinkTime'], /--vary thinkTime: expected path=value,value/],
    [
      ['sweep', writeScenario(dir, 'steps.yaml', `${small}steps:\n  - connections: 1\n`), '--vary', 'thinkTime=1s'],
      /steps: a sweep makes its steps from --vary/,
    ],
    [
      ['sweep', plain, '--target', 'http://127.0.0.1:9/', '--vary', 'server.keepAliveTimeout=1s'],
      /not sockcap's to reconfigure; sweep only client-side fields/,
    ],
    [['sweep', plain, '--vary', 'thinkTime=1s', '--probe'], /--probe: only for an external target/],
    [['sweep', '--resume', dir, '--vary', 'thinkTime=1s'], /--resume: --vary cannot change a sweep half-way/],
    [['sweep', '--resume', dir], /no run\.json there/],
  ];
  for (const [args, message] of cases) {
    const { code, stderr } = await runCli([...args, '--out', join(dir, 'results')], dir);
    assert.equal(code, 2, `${args.join(' ')}: ${stderr}`);
    assert.match(stderr, message);
    assert.equal(stderr.trim().split('\n').length, 1, stderr);
  }
  assert.ok(!existsSync(join(dir, 'results')), 'no results folder for a sweep refused before it started');
});
