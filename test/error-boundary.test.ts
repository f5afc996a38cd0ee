// The one error boundary: a user's mistake is one line and exit 2; a bug in sockcap says it
// is a bug, keeps its stack and says where the files measured so far are, exit 3; an output
// that throws is reported while the other outputs and the run go on.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { run } from '../src/api.js';
import { RunBrokenError } from '../src/errors.js';
import type { IntervalRow, Output, StepResult } from '../src/results/run-result.js';
import { binPath, cellNumber, onlyRunDir, readCsv, readJson, runCli, tempDir, writeScenario } from './helpers/cli.js';

const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
function scratch(): string {
  const dir = tempDir();
  dirs.push(dir);
  return dir;
}

const shortHttp = 'name: boundary\nprotocol: http\nconnections: 2\nduration: 1500ms\nwarmup: 0s\ninterval: 500ms\nworkers: 1\n';

test('an output that throws is reported; the other outputs and the run go on, and the run ends broken naming it', async () => {
  const dir = scratch();
  class BrokenOutput implements Output {
    interval(): void {
      throw new TypeError('broken on purpose');
    }
  }
  const seen = { intervals: 0, steps: 0 };
  const counting: Output = {
    interval: (_row: IntervalRow) => void seen.intervals++,
    stepFinished: (_result: StepResult) => void seen.steps++,
  };
  const file = writeScenario(dir, 'boundary.yaml', shortHttp);
  const reported: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = (chunk: string | Uint8Array) => {
    reported.push(String(chunk));
    return true;
  };
  let failure: unknown;
  try {
    await run(file, { resultsDir: join(dir, 'results'), outputs: [new BrokenOutput(), counting] });
  } catch (error) {
    failure = error;
  } finally {
    process.stderr.write = write;
  }
  assert.ok(failure instanceof RunBrokenError, `rejects with RunBrokenError, got ${String(failure)}`);
  assert.match(failure.message, /BrokenOutput failed in interval/);
  const line = reported.join('');
  assert.match(line, /BrokenOutput failed in interval \(a bug in sockcap: broken on purpose\); the other outputs and the run go on/);
  assert.match(line, /TypeError: broken on purpose\n\s+at /, 'the stack of the bug is shown');
  assert.equal(line.match(/BrokenOutput failed/g)!.length, 1, 'reported once, not once per interval');
  assert.ok(seen.intervals >= 2, `the other output still got every interval (${seen.intervals})`);
  assert.equal(seen.steps, 1);
  const runDir = onlyRunDir(join(dir, 'results'));
  const [row] = readCsv(join(runDir, 'summary.csv'));
  assert.ok(cellNumber(row, 'requests') > 0, 'summary.csv has the measured step');
  const runJson = readJson<{ status: string; reason: string }>(join(runDir, 'run.json'));
  assert.equal(runJson.status, 'broken');
  assert.match(runJson.reason, /BrokenOutput/);
});

test('a bug in sockcap during a run says it is a bug, shows its stack and where the results are, exit 3', async () => {
  const dir = scratch();
  const file = writeScenario(dir, 'boundary.yaml', shortHttp);
  // A real fault, injected into the running CLI: the --until-slo check throws a TypeError after the step.
  const inject = join(dir, 'inject.mjs');
  const untilSlo = pathToFileURL(join(binPath, '../gate/until-slo.js')).href;
  writeFileSync(inject, `import { UntilSlo } from '${untilSlo}';\nUntilSlo.prototype.broke = function () { return this.no.such.field; };\n`);
  const child = spawn(
    process.execPath,
    ['--import', pathToFileURL(inject).href, binPath, 'run', file, '--out', join(dir, 'results'), '--until-slo', 'latency.p99 < 10s'],
    {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 3, stderr);
  assert.match(stderr, /this is a bug in sockcap/);
  assert.match(stderr, /TypeError: Cannot read properties of undefined \(reading 'such'\)\n\s+at /);
  const runDir = onlyRunDir(join(dir, 'results'));
  assert.ok(stderr.includes(`what was measured until then is in ${runDir}`), stderr);
  for (const name of ['summary.csv', 'run.json', 'report.html']) assert.ok(existsSync(join(runDir, name)), name);
  assert.equal(readCsv(join(runDir, 'summary.csv')).length, 1);
  assert.equal(readJson<{ status: string }>(join(runDir, 'run.json')).status, 'broken');
});

test('a user mistake is one line naming the field, exit 2, no stack', async () => {
  const dir = scratch();
  const { code, stderr } = await runCli(['run', '--set', 'connections=many', '--out', join(dir, 'results')], dir);
  assert.equal(code, 2);
  assert.equal(stderr.trim().split('\n').length, 1, stderr);
  assert.match(stderr, /connections/);
  assert.doesNotMatch(stderr, /\n\s+at /);
  assert.equal(existsSync(join(dir, 'results')) ? readdirSync(join(dir, 'results')).length : 0, 0, 'nothing was run');
});

test('process.exit is called only by bin.ts and the entry files of sockcap’s child processes (and the parent watch they load first)', () => {
  const src = join(binPath, '..');
  const entries = new Set(['bin.js', join('target', 'child.js'), join('target', 'parent-watch.js'), join('coordinator', 'generator-process.js')]);
  const callers: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, name.name);
      if (name.isDirectory()) walk(path);
      else if (name.name.endsWith('.js') && /process\.exit\(/.test(readFileSync(path, 'utf8'))) callers.push(path.slice(src.length + 1));
    }
  };
  walk(src);
  assert.deepEqual(
    callers.filter((path) => !entries.has(path)),
    [],
  );
});
