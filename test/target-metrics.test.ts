// Server figures of a target that is not a local process, read from its own /metrics: a
// Node service exporting prom-client's default metrics fills every server column (summary,
// timeseries, costs, report.html, thresholds), in agreement with what /proc says of it; a
// scrape endpoint that hangs or answers garbage is a warning and empty cells, never a failed run.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startServer, type ServerProcess } from '../scripts/bench/processes.js';
import { cellNumber, onlyRunDir, readCsv, readJson, runCli, testDir } from './helpers/cli.js';
import { procOf, shortRun } from './helpers/server-figures.js';

const serverScript = fileURLToPath(new URL('./servers/prom-client-server.js', import.meta.url));
let target: ServerProcess;

interface ReportData {
  charts: { title: string; series: { label: string; values: (number | null)[] }[] }[];
}

before(async () => {
  target = await startServer('prom-client target', process.execPath, [serverScript], /prom-client target on (http:\/\/\S+)/);
});
after(() => target.stop());

async function runAgainst(t: Parameters<typeof testDir>[0], metricsPath: string, extra: string[] = []) {
  const dir = testDir(t);
  const result = await runCli(
    [...shortRun(`${target.url}/`, 8), '--target-metrics', `${target.url}${metricsPath}`, '--out', join(dir, 'results'), ...extra],
    dir,
  );
  const runDir = onlyRunDir(join(dir, 'results'));
  return {
    ...result,
    runDir,
    summary: readCsv(join(runDir, 'summary.csv'))[0]!,
    rows: readCsv(join(runDir, 'timeseries.csv')).filter((row) => row.phase === 'measure'),
    document: readJson<{
      warnings: string[];
      steps: { serverFigures: string; server: { cpuPct: number; rssPeakBytes: number } | null; serverScrapes: { attempts: number; failures: number } }[];
    }>(join(runDir, 'run.json')),
  };
}

test("prom-client's default metrics fill the server columns, within a sane bound of /proc", { timeout: 60_000 }, async (t) => {
  const before = procOf(target.pid);
  // connect: each connection opens, asks once and closes, so the cost per connection is measured too. The
  // connections cut short when the step ends count as client_closed errors: a few, allowed.
  const run = await runAgainst(t, '/metrics', ['--set', 'workload=connect', '--set', 'verdict.maxErrorRate=5%', '--threshold', 'server_cpu_pct < 10000']);
  const procAfter = procOf(target.pid);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, new RegExp(`server figures from ${target.url}/metrics`));
  const cpuPct = cellNumber(run.summary, 'server_cpu_pct');
  assert.ok(cpuPct > 0, `server CPU ${cpuPct}%`);
  // The scrapes cover the measured part, /proc the whole command (start and closing too): never more, and a fair share of it.
  const scrapedCpuMs = (cpuPct / 100) * cellNumber(run.summary, 'duration_s') * 1000;
  const procCpuMs = procAfter.cpuMs - before.cpuMs;
  assert.ok(scrapedCpuMs <= procCpuMs * 1.1 + 30, `scraped ${scrapedCpuMs.toFixed(0)} ms of CPU, /proc says ${procCpuMs} ms over the whole run`);
  assert.ok(scrapedCpuMs >= procCpuMs * 0.3, `scraped ${scrapedCpuMs.toFixed(0)} ms of CPU, /proc says ${procCpuMs} ms over the whole run`);
  const rssMib = cellNumber(run.summary, 'server_rss_mib');
  const procRssMib = procAfter.rssBytes / 1048576;
  assert.ok(rssMib > procRssMib * 0.7 && rssMib < procRssMib * 1.3, `scraped RSS ${rssMib} MiB, /proc ${procRssMib.toFixed(1)} MiB`);
  assert.ok(run.rows.length >= 3);
  // Scrapes come every half interval; on a loaded machine two rows may now and then share one, and the second stays empty.
  const filled = run.rows.filter((row) => row.server_cpu_pct !== '');
  assert.ok(filled.length >= run.rows.length - 1, `${filled.length} of ${run.rows.length} rows have server figures`);
  for (const row of filled) {
    cellNumber(row, 'server_cpu_pct');
    assert.ok(cellNumber(row, 'server_rss_mib') > 0);
    assert.ok(cellNumber(row, 'server_open_fds') > 0);
  }
  assert.ok(cellNumber(run.summary, 'server_cpu_ms_per_conn') > 0);
  const capacity = readCsv(join(run.runDir, 'capacity.csv'))[0];
  assert.equal(cellNumber(capacity, 'server_cpu_ms_per_conn'), cellNumber(run.summary, 'server_cpu_ms_per_conn'));
  const thresholds = readCsv(join(run.runDir, 'thresholds.csv'));
  assert.equal(thresholds[0]!.metric, 'server_cpu_pct');
  assert.equal(thresholds[0]!.verdict, 'pass');
  assert.equal(cellNumber(thresholds[0], 'value'), cpuPct);
  // report.html draws the target's CPU and memory over time.
  const report = readFileSync(join(run.runDir, 'report.html'), 'utf8');
  const data = JSON.parse(/<script[^>]*id="report-data"[^>]*>([\s\S]*?)<\/script>/.exec(report)![1]!) as ReportData;
  for (const title of ['CPU (100% = one core)', 'Memory (RSS)']) {
    const series = data.charts.find((chart) => chart.title === title)?.series.find((line) => line.label === 'target');
    assert.ok(series && series.values.some((value) => typeof value === 'number' && value > 0), `report.html charts the target in ${title}`);
  }
  assert.equal(run.document.steps[0]!.serverScrapes.failures, 0);
});

test('a prefixed metric family is read with targetMetrics.prefix, and refused without it', { timeout: 60_000 }, async (t) => {
  const withPrefix = await runAgainst(t, '/prefixed', ['--set', 'targetMetrics.prefix=myapp_']);
  assert.equal(withPrefix.code, 0, withPrefix.stderr);
  assert.ok(cellNumber(withPrefix.summary, 'server_cpu_pct') > 0);
  const without = await runAgainst(t, '/prefixed');
  assert.equal(without.code, 0, without.stderr);
  assert.match(
    without.stderr,
    /warning: target metrics .*\/prefixed: it has no process_cpu_seconds_total or process_resident_memory_bytes \(targetMetrics\.prefix is ""\)/,
  );
  assert.equal(without.summary.server_cpu_pct, '');
});

test('a first answer later than an interval (a busy host) still counts: every server column filled, no warning', { timeout: 60_000 }, async (t) => {
  const run = await runAgainst(t, '/slow-first');
  assert.equal(run.code, 0, run.stderr);
  assert.doesNotMatch(run.stderr, /warning: target metrics/);
  assert.ok(cellNumber(run.summary, 'server_cpu_pct') > 0 && cellNumber(run.summary, 'server_rss_mib') > 0, JSON.stringify(run.summary));
  assert.equal(run.document.steps[0]!.serverScrapes.failures, 0);
});

for (const [name, path, reason] of [
  // The first scrape, before the load, waits 2 s; the later ones an interval.
  ['hangs', '/hang', /no answer within 2000 ms/],
  ['answers an HTML page', '/garbage', /the answer is not Prometheus text \(line 1: expected a metric name/],
] as const) {
  test(`a metrics endpoint that ${name}: one warning, empty server cells, the run completes`, { timeout: 60_000 }, async (t) => {
    const run = await runAgainst(t, path);
    assert.equal(run.code, 0, run.stderr);
    const warnings = run.stderr.split('\n').filter((line) => line.startsWith('warning: target metrics'));
    assert.equal(warnings.length, 1, run.stderr);
    assert.match(warnings[0]!, reason);
    // The load itself was measured as usual.
    assert.ok(cellNumber(run.summary, 'requests') > 0);
    for (const column of ['server_cpu_pct', 'server_rss_mib', 'server_cpu_ms_per_conn', 'server_kib_per_conn']) assert.equal(run.summary[column], '', column);
    assert.ok(run.rows.length >= 3);
    for (const row of run.rows) assert.deepEqual([row.server_cpu_pct, row.server_rss_mib, row.server_open_fds], ['', '', '']);
    const scrapes = run.document.steps[0]!.serverScrapes;
    assert.ok(scrapes.failures >= 3 && scrapes.failures === scrapes.attempts, JSON.stringify(scrapes));
    assert.equal(run.document.steps[0]!.server, null, 'run.json has no server figures for the step');
    assert.ok(run.document.warnings.some((warning) => new RegExp(`${scrapes.failures} of ${scrapes.attempts} scrapes of .*${path} failed`).test(warning)));
  });
}
