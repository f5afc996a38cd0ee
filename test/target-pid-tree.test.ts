// --target-pid names nginx's master, whose workers do all the work: the server's CPU is the
// whole process tree's, and the run says how many processes it added up.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { startNginx } from '../scripts/bench/nginx.js';
import { cellNumber, onlyRunDir, readCsv, readJson, runCli, testDir } from './helpers/cli.js';

/** utime + stime of one process alone, in clock ticks. */
function ownTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

test('--target-pid with an nginx master sums the master and its two workers, and says so', { timeout: 60_000 }, async (t) => {
  const nginx = await startNginx({ workerProcesses: 2 });
  t.after(() => nginx.stop());
  const dir = testDir(t);
  const masterBefore = ownTicks(nginx.pid);
  const { code, stdout, stderr } = await runCli(
    [
      'run',
      '--target',
      nginx.url,
      '-c',
      '16',
      '-d',
      '2s',
      '-w',
      '1',
      '--set',
      'warmup=0s',
      '--set',
      'interval=500ms',
      '--target-pid',
      String(nginx.pid),
      '--out',
      join(dir, 'results'),
    ],
    dir,
  );
  assert.equal(code, 0, stderr);
  const masterTicks = ownTicks(nginx.pid) - masterBefore;
  assert.match(stdout + stderr, new RegExp(`server figures from pid ${nginx.pid} and 2 child processes \\(3 summed\\)`));
  const runDir = onlyRunDir(join(dir, 'results'));
  const summary = readCsv(join(runDir, 'summary.csv'))[0];
  const serverCpuPct = cellNumber(summary, 'server_cpu_pct');
  // The master alone did next to nothing (it only forked and waits); the workers answered every request.
  assert.ok(serverCpuPct > 1, `server CPU ${serverCpuPct}% is the workers' too`);
  const serverCpuMs = (serverCpuPct / 100) * cellNumber(summary, 'duration_s') * 1000;
  assert.ok(masterTicks * 10 < serverCpuMs / 2, `the master alone used ${masterTicks * 10} ms of the ${serverCpuMs.toFixed(0)} ms summed`);
  assert.ok(cellNumber(summary, 'server_rss_mib') > 0);
  const rows = readCsv(join(runDir, 'timeseries.csv')).filter((row) => row.phase === 'measure');
  assert.ok(rows.length > 0 && rows.every((row) => cellNumber(row, 'server_open_fds') > 0), "every interval counts the tree's open descriptors");
  const document = readJson<{ steps: { serverFigures: string }[] }>(join(runDir, 'run.json'));
  assert.equal(document.steps[0]!.serverFigures, `pid ${nginx.pid} and 2 child processes (3 summed)`);
});
