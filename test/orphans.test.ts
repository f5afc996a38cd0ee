// No orphans, ever: `sockcap run` is killed with SIGKILL (no chance to stop anything) at
// ten moments of its start-up and of a step, and every process it forked (built-in target
// processes, extra generator processes) is gone soon after, wherever it was in its own
// start-up. Processes are found by a mark in their environment, which children inherit.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { binPath, tempDir } from './helpers/cli.js';
import { marked } from './helpers/processes.js';

const dir = tempDir();
after(() => rmSync(dir, { recursive: true, force: true }));

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

test('SIGKILL of sockcap run at any moment of start-up or of a step leaves no process behind', async () => {
  const moments = [100, 400, 800, 1100, 1300, 1600, 2000, 2500, 3000, 3500, 4500, 6000, 8000];
  let withChildren = 0;
  for (const [i, moment] of moments.entries()) {
    const mark = `SOCKCAP_ORPHAN_TEST=${process.pid}-${i}`;
    const child = spawn(
      process.execPath,
      [binPath, 'run', '-c', '4', '-d', '10s', '--set', 'processes=2', '--set', 'server.processes=2', '--out', join(dir, String(i))],
      {
        cwd: dir,
        stdio: 'ignore',
        env: { ...process.env, SOCKCAP_ORPHAN_TEST: `${process.pid}-${i}` },
      },
    );
    const closed = new Promise((resolve) => child.on('close', resolve));
    await sleep(moment);
    const before = marked(mark).filter((pid) => pid !== child.pid);
    if (before.length > 0) withChildren++;
    child.kill('SIGKILL');
    await closed;
    let left = marked(mark);
    for (let waited = 0; left.length > 0 && waited < 3000; waited += 100) {
      await sleep(100);
      left = marked(mark);
    }
    for (const pid of left) process.kill(pid, 'SIGKILL');
    assert.deepEqual(left, [], `killed at ${moment} ms (${before.length} children then): processes left behind`);
  }
  assert.ok(withChildren >= 5, `children were running at ${withChildren} of the ${moments.length} moments`);
});
