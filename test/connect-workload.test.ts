// The connect workload opens and closes connections until the step ends; the ones still
// opening then are closed by sockcap itself, which is no error of the target's.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { cellNumber, onlyRunDir, readCsv, runCli, testDir, writeScenario } from './helpers/cli.js';
import { startDelayServer } from './servers/delay-server.js';

async function cycles(
  t: Parameters<typeof testDir>[0],
  section: string,
): Promise<{ code: number | null; stderr: string; row: Record<string, string>; errors: Record<string, string>[] }> {
  const dir = testDir(t);
  const file = writeScenario(dir, 'scenario.yaml', `name: cycles\n${section}workload: connect\nconnections: 10\nduration: 1s\nworkers: 1\n`);
  const { code, stderr } = await runCli(['run', file, '--out', join(dir, 'results'), '--quiet'], dir);
  const runDir = onlyRunDir(join(dir, 'results'));
  return { code, stderr, row: readCsv(join(runDir, 'summary.csv'))[0]!, errors: readCsv(join(runDir, 'errors.csv')) };
}

test('HTTP connections still opening when the step ends are not counted as errors', async (t) => {
  // Each opening request takes 300 ms: every connection is mid-cycle at the step's end.
  const server = await startDelayServer(300);
  try {
    const { code, stderr, row, errors } = await cycles(t, `protocol: http\ntarget: ${server.url}\n`);
    assert.ok(cellNumber(row, 'new_connections') >= 20, `new connections ${row.new_connections}`);
    assert.deepEqual(errors, []);
    assert.equal(cellNumber(row, 'errors'), 0);
    assert.equal(code, 0, stderr);
  } finally {
    await server.close();
  }
});

test('WebSocket connect cycles against the built-in target end without errors', async (t) => {
  const { code, stderr, row, errors } = await cycles(t, 'protocol: websocket\n');
  assert.ok(cellNumber(row, 'new_connections') > 20, `new connections ${row.new_connections}`);
  assert.deepEqual(errors, []);
  assert.equal(code, 0, stderr);
});
