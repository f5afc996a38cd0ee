// scripts/ci-gate.sh keeps both comparison files of a push run: the results folder's own
// transport comparison (transports.csv) and `sockcap compare`'s verdicts (compare.csv), which
// once shared a name, so the second overwrote the first.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { binPath, readCsv, runCli, testDir, writeScenario } from './helpers/cli.js';

test('ci-gate.sh on a long-poll run keeps transports.csv and writes compare.csv beside it', async (t) => {
  const dir = testDir(t);
  const results = join(dir, 'results');
  const file = writeScenario(
    dir,
    'push.yaml',
    'name: push-gate\nprotocol: long-poll\nconnections: 2\nduration: 1s\nwarmup: 0s\ninterval: 250ms\nworkers: 1\nserver: { eventRate: 20/s }\n',
  );
  const baseline = await runCli(['run', file, '--out', results, '--run-id', 'baseline', '--quiet'], dir);
  assert.equal(baseline.code, 0, baseline.stderr);
  const script = fileURLToPath(new URL('../../scripts/ci-gate.sh', import.meta.url));
  const { output } = await new Promise<{ output: string }>((resolve) => {
    execFile(
      'bash',
      [script, file, join(results, 'baseline')],
      // Only the files are tested here: a regression verdict on this shared machine does not matter.
      { cwd: dir, env: { ...process.env, SOCKCAP: `${process.execPath} ${binPath}`, SOCKCAP_RUN_ID: 'ci' } },
      (_error, stdout, stderr) => resolve({ output: `${stdout}${stderr}` }),
    );
  });
  assert.match(output, /== sockcap compare /);
  const current = join(results, 'ci');
  const transports = readCsv(join(current, 'transports.csv'));
  assert.deepEqual(
    transports.map((row) => row.transport),
    ['long-poll'],
  );
  const header = readFileSync(join(current, 'compare.csv'), 'utf8').split('\n')[0]!;
  assert.match(header, /\bverdict\b/, `compare.csv is sockcap compare's: ${header}`);
  assert.doesNotMatch(header, /\btransport\b/);
});
