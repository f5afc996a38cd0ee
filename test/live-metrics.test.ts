// --metrics-listen against a real run: /metrics scraped while the run goes, and the final
// scrape checked against the run's own files (summary.csv, errors.csv), per step. The target
// resets one request in 200, so errors by code are exercised too, and each connection (which
// waits its reconnect backoff after a reset) is open most of the time a scrape looks.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { cellNumber, onlyRunDir, readCsv, runCli, startCli, testDir, writeScenario } from './helpers/cli.js';
import { parsePrometheusText, samplesOf, sumOf, type Sample } from './helpers/prometheus-text.js';
import { startResetServer, type ResetServer } from './servers/reset-server.js';

let resetServer: ResetServer;
before(async () => {
  resetServer = await startResetServer({ resetEvery: 200 });
});
after(async () => {
  await resetServer.close();
});

/** A port free a moment ago (the system chose it for a server that then closed). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function scrape(url: string): Promise<Sample[] | undefined> {
  try {
    const response = await fetch(url);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    return parsePrometheusText(await response.text());
  } catch (error) {
    if (error instanceof assert.AssertionError) throw error;
    return undefined;
  }
}

const value = (samples: Sample[], name: string, labels: Record<string, string>): number => {
  const sum = sumOf(samples, name, labels);
  assert.ok(sum !== undefined, `${name}${JSON.stringify(labels)} is served`);
  return sum;
};

test('--metrics-listen: scraped mid-run, and the final scrape equals summary.csv and errors.csv step by step', async (t) => {
  const dir = testDir(t);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/metrics`;
  const file = writeScenario(
    dir,
    'live.yaml',
    `name: live-metrics\ntarget: ${resetServer.url}\nprotocol: http\nconnections: 4\nduration: 2s\nwarmup: 500ms\ninterval: 250ms\nworkers: 1\nverdict: { maxErrorRate: off }\nsteps:\n  - name: four\n  - name: two\n    connections: 2\n`,
  );
  const { result } = startCli(['run', file, '--out', join(dir, 'results'), '--metrics-listen', `127.0.0.1:${port}`, '--metrics-linger', '60s'], dir);
  let exited = false;
  void result.then(() => (exited = true));

  const midRun: Sample[][] = [];
  let final: Sample[] | undefined;
  let finalAt = 0;
  while (!exited && final === undefined) {
    const samples = await scrape(url);
    if (samples && sumOf(samples, 'sockcap_run_finished') === 1) {
      final = samples;
      finalAt = Date.now();
    } else if (samples && (sumOf(samples, 'sockcap_requests_total', { phase: 'measure' }) ?? 0) > 0) midRun.push(samples);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  const { code, stderr } = await result;
  assert.equal(code, 0, stderr);
  assert.ok(final, `a scrape saw the run finished (stderr: ${stderr})`);
  assert.match(stderr, new RegExp(`live metrics at ${url.replace(/\./g, '\\.')}`));
  // The final scrape ended the linger: the process did not wait out its 60 s.
  assert.ok(Date.now() - finalAt < 20_000, 'exited soon after the final scrape');

  // While the run went: figures of a step being measured, the run not finished.
  assert.ok(midRun.length >= 3, `scraped ${midRun.length} times while measuring`);
  // Between steps (and after a step's last interval) nothing is open: a scrape while a step holds its connections.
  const during = midRun.find((samples) => samplesOf(samples, 'sockcap_connections_open').some((sample) => sample.value > 0));
  assert.ok(during, 'a scrape while connections were open');
  assert.equal(sumOf(during, 'sockcap_run_finished'), 0);
  assert.ok(
    samplesOf(during, 'sockcap_throughput_per_second').some((sample) => sample.value > 0),
    'throughput mid-run',
  );
  assert.ok(samplesOf(during, 'sockcap_latency_interval_seconds', { quantile: '0.99' }).length > 0, 'an interval latency mid-run');
  const firstRequests = sumOf(midRun[0]!, 'sockcap_requests_total') ?? 0;
  const lastRequests = sumOf(midRun.at(-1)!, 'sockcap_requests_total') ?? 0;
  assert.ok(lastRequests > firstRequests, `requests grew between scrapes: ${firstRequests} → ${lastRequests}`);

  // The final scrape, step by step, against the files the run wrote.
  const runDir = onlyRunDir(join(dir, 'results'));
  const summary = readCsv(join(runDir, 'summary.csv'));
  const errors = readCsv(join(runDir, 'errors.csv'));
  assert.deepEqual(
    summary.map((row) => row.step),
    ['four', 'two'],
  );
  for (const row of summary) {
    const step = row.step!;
    const measured = { step, phase: 'measure' };
    assert.equal(value(final, 'sockcap_requests_total', measured), cellNumber(row, 'requests'), `${step}: requests`);
    assert.equal(value(final, 'sockcap_errors_total', measured), cellNumber(row, 'errors'), `${step}: errors`);
    assert.ok(cellNumber(row, 'errors') > 0, `${step}: the target reset some requests`);
    assert.equal(value(final, 'sockcap_dropped_arrivals_total', measured), cellNumber(row, 'dropped'), `${step}: dropped`);
    assert.equal(value(final, 'sockcap_connections_opened_total', { step }), cellNumber(row, 'new_connections'), `${step}: connections opened`);
    assert.equal(value(final, 'sockcap_sent_bytes_total', measured), cellNumber(row, 'bytes_sent'), `${step}: bytes sent`);
    for (const code of errors.filter((error) => error.step === step)) {
      assert.equal(value(final, 'sockcap_errors_total', { ...measured, code: code.code! }), cellNumber(code, 'count'), `${step}: errors ${code.code}`);
    }
    for (const [quantile, column] of [
      ['0.5', 'latency_p50_ms'],
      ['0.9', 'latency_p90_ms'],
      ['0.99', 'latency_p99_ms'],
    ] as const) {
      const seconds = value(final, 'sockcap_latency_seconds', { step, metric: row.latency_metric!, quantile });
      assert.equal(Math.round(seconds * 1e6) / 1000, cellNumber(row, column), `${step}: ${column}`);
    }
    assert.equal(Math.round(value(final, 'sockcap_latency_max_seconds', { step }) * 1e6) / 1000, cellNumber(row, 'latency_max_ms'), `${step}: max`);
    assert.ok(value(final, 'sockcap_client_resident_memory_bytes', { step }) > 10 * 1024 * 1024, `${step}: generator RSS`);
    assert.ok(value(final, 'sockcap_client_cpu_seconds_total', { step }) > 0, `${step}: generator CPU`);
    assert.ok(samplesOf(final, 'sockcap_generator_saturated', { step }).length === 1, `${step}: saturation flag`);
  }
  // An external target whose process is not sampled: no server series at all, not zeros.
  assert.deepEqual(
    final.filter((sample) => sample.name.startsWith('sockcap_server_')),
    [],
  );
});

test('bad --metrics-listen and --metrics-linger values, and a port in use, are one line naming the flag, exit 2', async (t) => {
  const dir = testDir(t);
  const taken: Server = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  t.after(() => taken.close());
  const port = (taken.address() as { port: number }).port;
  const cases: [string[], RegExp][] = [
    [['--metrics-listen', 'nonsense'], /^sockcap: --metrics-listen: expected host:port, like 127\.0\.0\.1:9464 .*got "nonsense"$/],
    [['--metrics-listen', '127.0.0.1'], /^sockcap: --metrics-listen: expected host:port/],
    [
      ['--metrics-listen', `127.0.0.1:${port}`],
      new RegExp(`^sockcap: --metrics-listen 127\\.0\\.0\\.1:${port}: cannot listen there \\(EADDRINUSE\\): pick another port`),
    ],
    [['--metrics-listen', '127.0.0.1:0', '--metrics-linger', 'forever'], /^sockcap: --metrics-linger: expected a duration like 30s or 250ms, got "forever"$/],
  ];
  for (const [flags, message] of cases) {
    const { code, stdout, stderr } = await runCli(['run', '--out', join(dir, 'results'), ...flags], dir);
    assert.equal(code, 2, `${flags.join(' ')}: ${stderr}`);
    assert.equal(stderr.trim().split('\n').length, 1, `one line: ${stderr}`);
    assert.match(stderr.trim(), message);
    assert.equal(stdout, '');
  }
});
