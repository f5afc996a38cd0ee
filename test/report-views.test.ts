// report.html as a reader sees it, opened in headless Chromium at 1280 px after real runs:
// the verdict line first, the run's warnings (the same as run.json's), a view per kind of
// run, charts that read without hovering, no console error, nothing fetched. Screenshots
// go to test-artifacts/screenshots/.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { version } from '../src/version.js';
import { onlyRunDir, readJson, runCli, tempDir, writeScenario } from './helpers/cli.js';
import { checkPage, readReport } from './helpers/report-page.js';
import { startResetServer } from './servers/reset-server.js';

async function runScenario(text: string, extra: string[] = []): Promise<{ dir: string; code: number | null; stderr: string }> {
  const dir = tempDir();
  const args = text === '' ? ['run'] : ['run', writeScenario(dir, 'scenario.yaml', text)];
  const { code, stderr } = await runCli([...args, '--out', join(dir, 'results'), '--quiet', ...extra], dir);
  return { dir: onlyRunDir(join(dir, 'results')), code, stderr };
}

test('quickstart: the verdict, the facts, the warnings of run.json, charts legible without hover at 1280 px', async () => {
  const { dir, code, stderr } = await runScenario('', ['-d', '1500ms', '-c', '10']);
  assert.equal(code, 0, stderr);
  const page = await readReport(join(dir, 'report.html'), 'quickstart');
  assert.deepEqual(checkPage(page), []);
  assert.match(page.verdict, /^PASSED( WITH WARNINGS)?: 2 steps with successful operations; no thresholds; error rate 0%; generator (not saturated|saturated in step .+)$/);
  assert.match(page.facts.target!, /^built-in target \(http:\/\/127\.0\.0\.1:\d+\), built-in target \(http:\/\/127\.0\.0\.1:\d+\)$/);
  assert.equal(page.facts.scenario, 'quickstart — built-in quickstart');
  assert.equal(page.facts.sockcap, version);
  assert.match(page.facts.machine!, /\d+ cores, [\d.]+ GiB, linux .* node v\d+/);
  // The page lists exactly the warnings run.json records, a saturated generator among them.
  const { warnings } = readJson<{ warnings: string[] }>(join(dir, 'run.json'));
  assert.deepEqual(page.warnings, warnings.map((warning) => `warning: ${warning}`));
  assert.equal(page.verdictClass.includes('warned'), warnings.some((warning) => warning.startsWith('generator saturated')));

  assert.deepEqual(page.sections, ['Summary', 'Steps compared', 'Over time', 'Percentile distributions (measured part of each step)']);
  // Steps compared as bars: throughput, latency (p50, p99, p99.9), CPU and memory (both sides), error rate.
  const bars = page.charts.filter((chart) => chart.kind === 'bars');
  assert.deepEqual(bars.map((chart) => chart.series), [1, 3, 2, 2, 1]);
  // Over time: throughput, latency, connections, CPU, memory, errors; both sides where both were sampled.
  const time = page.data.filter((chart) => chart.id.startsWith('time-'));
  assert.deepEqual(time.map((chart) => chart.series.length), [1, 3, 1, 2, 2, 1]);
  for (const chart of time) {
    assert.deepEqual(chart.markers.map((marker) => marker.label), ['http-keepalive', 'websocket-echo'], `${chart.title}: every step start marked`);
    assert.equal(chart.markers[0]!.x >= 0 && chart.markers[1]!.x > chart.markers[0]!.x, true);
    assert.deepEqual(chart.bands.map((band) => band.label), ['warm-up', 'warm-up'], `${chart.title}: each step's warm-up shaded`);
  }
  const distributions = page.charts.filter((chart) => chart.title.endsWith('percentile distribution'));
  assert.deepEqual(distributions.slice(0, 2).map((chart) => chart.title), ['latency percentile distribution', 'rtt percentile distribution']);
  assert.ok(!distributions.some((chart) => chart.title.startsWith('latency_reused')), 'latency on reused sockets is not drawn twice');
  const legend = page.charts.find((chart) => chart.title === 'Throughput')!.legend;
  assert.match(legend[0]!, /^completed per s: mean [\d,.]+\/s$/);
});

test('a run where every request failed says FAILED first, names the step and its errors, and draws no latency', async () => {
  const server = await startResetServer({ resetEvery: 1 });
  try {
    const { dir } = await runScenario(`name: all-reset\ntarget: ${server.url}\nprotocol: http\nconnections: 2\nworkers: 1\nduration: 1s\ninterval: 250ms\nthresholds: [latency.p99 < 1s]\n`);
    const page = await readReport(join(dir, 'report.html'), 'failed-run');
    assert.deepEqual(checkPage(page), []);
    assert.match(page.verdict, /^FAILED: 1 step where nothing succeeded; 1 threshold failed of 1; error rate 100%/);
    assert.ok(page.verdictClass.includes('failed'));
    assert.ok(page.reasons.some((reason) => /^step main: no operation succeeded \([\d,]+ errors: ECONNRESET/.test(reason)), page.reasons.join('\n'));
    assert.ok(page.reasons.some((reason) => /^threshold latency\.p99 < 1s: no step measured it/.test(reason)), page.reasons.join('\n'));
    assert.equal(page.facts.target, server.url);
    assert.equal(page.facts.scenario!.startsWith('all-reset — '), true);
    assert.ok(page.sections.includes('Thresholds') && page.sections.includes('Errors by code'));
    // Nothing answered: no latency chart, no distribution, "-" in the summary instead of 0 ms.
    const titles = page.data.map((chart) => chart.title);
    assert.ok(!titles.includes('latency per interval') && !titles.includes('latency percentile distribution'), titles.join(', '));
    assert.match(page.text, /main\s+http closed\s+2\s+0\/s\s+[\d,]+ \(100%\)\s+latency\s+-\s+-\s+-\s+-/);
  } finally {
    await server.close();
  }
});
