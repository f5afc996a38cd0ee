// A write error mid-step (the results folder removed, a full disk) is not a crash and not
// "a threshold failed": each output that cannot write says so in one line, the run goes on
// and ends broken, exit 3, without a stack trace. The disk is a small tmpfs mounted here.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { startCli, tempDir } from './helpers/cli.js';

const dir = tempDir();
// Its own folder: the helpers remove theirs, and a mounted folder cannot be removed.
const disk = mkdtempSync(join(tmpdir(), 'sockcap-disk-'));
after(() => {
  try {
    execFileSync('umount', [disk]);
  } catch {
    // Not mounted (the test failed before).
  }
  rmSync(disk, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function runUntil(out: string, fault: () => void): Promise<{ code: number | null; stderr: string }> {
  const { child, result } = startCli(['run', '-c', '4', '-d', '5s', '--set', 'interval=250ms', '--out', out], dir);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  for (let waited = 0; !/step 1\/\d+ /.test(stderr); waited += 50) {
    assert.ok(waited < 30_000, `never started: ${stderr}`);
    await sleep(50);
  }
  await sleep(1500);
  fault();
  const { code } = await result;
  return { code, stderr };
}

function assertBrokenByWrites(code: number | null, stderr: string, cause: RegExp): void {
  assert.equal(code, 3, stderr);
  assert.match(stderr, cause);
  assert.match(stderr, /could not write .*the other outputs and the run go on/);
  assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
}

test('the results folder removed mid-step: one line per output, exit 3', async () => {
  const out = join(dir, 'removed');
  const { code, stderr } = await runUntil(out, () => rmSync(out, { recursive: true, force: true }));
  assertBrokenByWrites(code, stderr, /ENOENT/);
});

test('a disk that fills mid-step: one line per output, exit 3', async () => {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', disk]);
  const { code, stderr } = await runUntil(join(disk, 'results'), () => undefined);
  assertBrokenByWrites(code, stderr, /ENOSPC/);
  assert.ok(existsSync(join(disk, 'results')) && readdirSync(join(disk, 'results')).length === 1, 'the run wrote what fitted');
});
