// `sockcap report` rebuilds a results folder's files from what the run stored, identical
// to what the run wrote; report.html is one offline file whose charts render in headless
// Chromium without console errors.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { onlyRunDir, readCsv, runCli, tempDir, writeScenario } from './helpers/cli.js';
import { checkPage, readReport } from './helpers/report-page.js';

const dir = tempDir();
let runDir = '';
let runStdout = '';
const rebuilt = ['summary.csv', 'latency.csv', 'errors.csv', 'thresholds.csv', 'report.html'];

before(async () => {
  const file = writeScenario(
    dir,
    'two-steps.yaml',
    `name: report-e2e
connections: 4
duration: 1s
warmup: 0s
interval: 250ms
workers: 1
thresholds:
  - error_rate < 1%
steps:
  - name: http
    protocol: http
    thresholds: [latency.p99 < 2s, error_rate < 1%]
  - name: websocket
    protocol: websocket
    connections: 8
`,
  );
  const { code, stdout, stderr } = await runCli(['run', file, '--out', join(dir, 'results')], dir);
  assert.equal(code, 0, stderr);
  runDir = onlyRunDir(join(dir, 'results'));
  runStdout = stdout;
});

test('sockcap report rebuilds the files identical to those the run wrote, and the console summary', async () => {
  const saved = join(dir, 'as-run');
  mkdirSync(saved);
  for (const name of rebuilt) {
    copyFileSync(join(runDir, name), join(saved, name));
    rmSync(join(runDir, name));
  }
  const { code, stdout, stderr } = await runCli(['report', runDir], dir);
  assert.equal(code, 0, stderr);
  for (const name of ['summary.csv', 'latency.csv', 'errors.csv', 'thresholds.csv']) {
    assert.equal(readFileSync(join(runDir, name), 'utf8'), readFileSync(join(saved, name), 'utf8'), `${name} rebuilt identically`);
  }
  assert.ok(existsSync(join(runDir, 'report.html')));
  assert.match(stderr, /rewrote summary\.csv, latency\.csv, errors\.csv, thresholds\.csv, report\.html/);
  // The same tables the run printed: summary, then the threshold verdicts.
  assert.equal(stdout.trim(), runStdout.trim());
  assert.equal(readCsv(join(runDir, 'summary.csv')).length, 2);
});

test('sockcap report judges a stored run by a new threshold and exits 1 when it fails', async () => {
  const junit = join(dir, 'report.xml');
  const { code, stdout } = await runCli(['report', runDir, '--threshold', 'connect.p50 < 1us', '--junit', junit], dir);
  assert.equal(code, 1, stdout);
  assert.match(stdout, /connect\.p50 < 1us\s+http\s+.*FAIL/);
  assert.ok(readCsv(join(runDir, 'thresholds.csv')).some((row) => row.threshold === 'connect.p50 < 1us' && row.verdict === 'fail'));
  assert.match(readFileSync(junit, 'utf8'), /<testcase classname="sockcap.thresholds.websocket" name="connect.p50 &lt; 1us"/);
  // Put the folder back as the run left it for the next test.
  const { code: again } = await runCli(['report', runDir, '--quiet'], dir);
  assert.equal(again, 0);
});

test('sockcap report refuses a folder that is not a results folder, with exit 2', async () => {
  const empty = join(dir, 'empty');
  mkdirSync(empty);
  const { code, stderr } = await runCli(['report', empty], dir);
  assert.equal(code, 2);
  assert.match(stderr, /empty\/run\.json: is missing, so this is not a results folder a run wrote/);
  writeFileSync(join(empty, 'run.json'), '{ not json');
  const broken = await runCli(['report', empty], dir);
  assert.equal(broken.code, 2);
  assert.match(broken.stderr, /run\.json: cannot be read as JSON/);
});

test('report.html is one self-contained file: uPlot and the data inlined, nothing fetched', () => {
  const html = readFileSync(join(runDir, 'report.html'), 'utf8');
  assert.match(html, /^<!doctype html>/);
  assert.match(html, /uPlot/);
  assert.doesNotMatch(html, /<script[^>]+src=/i, 'no external script');
  assert.doesNotMatch(html, /<link[^>]+href=/i, 'no external stylesheet');
  assert.doesNotMatch(html, /url\(\s*['"]?https?:/i, 'no remote CSS resources');
  assert.match(html, /<script type="application\/json" id="report-data">/);
  assert.match(html, /<td>latency.p99 &lt; 2s<\/td>/);
});

test('report.html renders in headless Chromium: every threshold with its measured value and limit, the charts drawn, no console error', async () => {
  const page = await readReport(join(runDir, 'report.html'), 'thresholds');
  assert.deepEqual(checkPage(page), []);
  assert.match(page.verdict, /^PASSED( WITH WARNINGS)?: 2 steps with successful operations; 2 thresholds met; error rate 0%/);
  assert.equal(page.sections[0], 'Thresholds');
  // threshold, step, measured, limit, verdict: one row per step a threshold applies to.
  assert.match(page.text, /latency\.p99 < 2s\s+http\s+[\d.]+ ms\s+< 2 s\s+pass/);
  assert.match(page.text, /error_rate < 1%\s+websocket\s+0%\s+< 1%\s+pass/);
  // 6 over time, a distribution per metric measured; the steps compared are 5 bar charts.
  assert.ok(page.charts.filter((chart) => chart.kind === 'line').length >= 9);
  assert.equal(page.charts.filter((chart) => chart.kind === 'bars').length, 5);
});
