// The linearity bench keeps the rows of a ladder whose verdict failed: exit 1 is a result
// (a threshold broken, too many errors), not a crash, and the rungs it measured are printed.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { linearTable, runLadder } from '../scripts/bench/linear-bench.js';
import { readCsv, testDir } from './helpers/cli.js';

test('a ladder whose threshold fails keeps its measured rows, and the table says the verdict beside them', async (t) => {
  const dir = testDir(t);
  const ran = await runLadder(
    'verdict-ladder',
    {
      name: 'verdict-ladder',
      protocol: 'websocket',
      workload: 'arrival-rate',
      rate: '40/s',
      duration: '1s',
      interval: '500ms',
      workers: 1,
      // No echo answers within a nanosecond: the verdict fails at every rung.
      thresholds: ['rtt.p50 < 0.000001ms'],
      steps: [
        { name: 'a', connections: 10 },
        { name: 'b', connections: 20 },
      ],
    },
    dir,
  );
  assert.equal(ran.failure, undefined);
  assert.match(ran.verdict ?? '', /^sockcap verdict-ladder exited 1, its verdict failed \(rows kept\)/);
  assert.ok(ran.dir, 'the results folder is kept');
  const rows = readCsv(join(ran.dir, 'summary.csv'));
  assert.deepEqual(
    rows.map((row) => row['connections']),
    ['10', '20'],
  );
  const table = linearTable(
    {
      rows: [{ connections: 1000, clientKibPerConn: 5, holdCpuMsPerConnSecond: 0.01, cpuMicrosPerMessage: 30, messages: 100, errors: 0 }],
      failures: [],
      verdicts: [ran.verdict!],
    },
    2000,
  );
  assert.match(table, /1,000 +5\.00 +0\.0100 +30\.0 +100 +0\n.*verdict failed/);
});
