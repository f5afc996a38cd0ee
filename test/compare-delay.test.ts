// A 30 ms slowdown is a regression every time `sockcap compare` sees it, and an unchanged
// rerun is not, against a purpose-made HTTP server whose delay the test sets between runs.
// The slowdown that fluctuates (30 ms, then 150 ms, interval by interval, as a slow backend
// on a busy machine does) is the case the gate used to miss: its own variation, in
// milliseconds set against the fast baseline's level, counted as noise larger than the change.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { readCsv, onlyRunDir, runCli, tempDir } from './helpers/cli.js';
import { startDelayServer, type DelayServer } from './servers/delay-server.js';

const load = ['-c', '20', '-d', '3s', '-w', '1', '--set', 'interval=250ms', '--set', 'warmup=500ms'];
const repeats = 3;

let server: DelayServer;
before(async () => (server = await startDelayServer(0)));
after(() => server.close());

async function runNow(parent: string, name: string): Promise<string> {
  const out = join(parent, name);
  const { code, stderr } = await runCli(['run', '--target', server.url, ...load, '--out', out], parent);
  assert.equal(code, 0, stderr);
  return onlyRunDir(out);
}

async function compare(dir: string, baseline: string, current: string, name: string) {
  const out = join(dir, `compare-${name}`);
  const result = await runCli(['compare', baseline, current, '--out', out], dir);
  const p50 = readCsv(join(out, 'compare.csv')).find((row) => row.metric === 'latency.p50');
  return { ...result, p50 };
}

test(`a 30 ms delay is a regression in each of ${repeats} runs, a fluctuating one too, and an unchanged rerun is not`, async () => {
  const dir = tempDir();
  server.delayMs = 0;
  const baseline = await runNow(dir, 'baseline');
  const rerun = await runNow(dir, 'rerun');
  const same = await compare(dir, baseline, rerun, 'rerun');
  assert.equal(same.code, 0, `${same.stdout}\n${same.stderr}`);
  assert.match(same.stdout, /compare: no regression/);

  server.delayMs = 30;
  for (let i = 0; i < repeats; i++) {
    const slowed = await compare(dir, baseline, await runNow(dir, `slowed-${i}`), `slowed-${i}`);
    assert.equal(slowed.code, 1, `run ${i + 1}: ${slowed.stdout}\n${slowed.stderr}`);
    assert.equal(slowed.p50?.verdict, 'regression', `run ${i + 1}: ${JSON.stringify(slowed.p50)}`);
  }

  // 30 ms and 150 ms by turns, a little longer than an interval each.
  const swing = setInterval(() => (server.delayMs = server.delayMs === 30 ? 150 : 30), 300);
  let fluctuating: string;
  try {
    fluctuating = await runNow(dir, 'fluctuating');
  } finally {
    clearInterval(swing);
  }
  const swung = await compare(dir, baseline, fluctuating, 'fluctuating');
  assert.equal(swung.code, 1, `${swung.stdout}\n${swung.stderr}`);
  assert.equal(swung.p50?.verdict, 'regression', JSON.stringify(swung.p50));
});
