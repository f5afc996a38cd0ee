// --target-pid names nginx's master, whose workers do all the work: the server's CPU is the
// whole process tree's, and the run says how many processes it added up.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { startNginx } from '../scripts/bench/nginx.js';
import { cellNumber, onlyRunDir, readCsv, readJson, runCli, testDir } from './helpers/cli.js';
import { procOf, shortRun } from './helpers/server-figures.js';

test('--target-pid with an nginx master sums the master and its two workers, and says so', { timeout: 60_000 }, async (t) => {
  const nginx = await startNginx({ workerProcesses: 2 });
  t.after(() => nginx.stop());
  const dir = testDir(t);
  const masterBefore = procOf(nginx.pid).cpuMs;
  const { code, stdout, stderr } = await runCli([...shortRun(nginx.url, 16), '--target-pid', String(nginx.pid), '--out', join(dir, 'results')], dir);
  assert.equal(code, 0, stderr);
  const masterCpuMs = procOf(nginx.pid).cpuMs - masterBefore;
  assert.match(stdout + stderr, new RegExp(`server figures from pid ${nginx.pid} and 2 child processes \\(3 summed\\)`));
  const runDir = onlyRunDir(join(dir, 'results'));
  const summary = readCsv(join(runDir, 'summary.csv'))[0];
  const serverCpuPct = cellNumber(summary, 'server_cpu_pct');
  // The master alone did next to nothing (it only forked and waits); the workers answered every request.
  assert.ok(serverCpuPct > 0, `server CPU ${serverCpuPct}% is the workers' too`);
  const serverCpuMs = (serverCpuPct / 100) * cellNumber(summary, 'duration_s') * 1000;
  assert.ok(masterCpuMs < serverCpuMs / 2, `the master alone used ${masterCpuMs} ms of the ${serverCpuMs.toFixed(0)} ms summed`);
  assert.ok(cellNumber(summary, 'server_rss_mib') > 0);
  const rows = readCsv(join(runDir, 'timeseries.csv')).filter((row) => row.phase === 'measure');
  assert.ok(rows.length > 0 && rows.every((row) => cellNumber(row, 'server_open_fds') > 0), "every interval counts the tree's open descriptors");
  const document = readJson<{ steps: { serverFigures: string }[] }>(join(runDir, 'run.json'));
  assert.equal(document.steps[0]!.serverFigures, `pid ${nginx.pid} and 2 child processes (3 summed)`);
});
