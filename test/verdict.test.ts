// The default verdict against nginx: a step in which nothing succeeded, or with more errors
// than verdict.maxErrorRate, or whose target stopped answering for good, fails the run (exit 1)
// and every place the run is reported says why; a scenario that expects errors says so and passes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startNginx } from '../scripts/bench/nginx.js';
import type { ServerProcess } from '../scripts/bench/processes.js';
import { onlyRunDir, readJson, runCli, startCli, tempDir, writeScenario } from './helpers/cli.js';
import { closerFor, listenOnFreePort } from './servers/listen.js';

interface VerdictDocument {
  status: string;
  verdict: { passed: boolean; reasons: string[]; steps: { step: string; passed: boolean; errorRate: number | null }[] };
}

let nginx: ServerProcess;

before(async () => {
  nginx = await startNginx({
    // One request in five answered 503, drawn per request.
    http: 'split_clients "${request_id}" $sockcap_fail { 20% "1"; * "0"; }',
    locations: `
    location /down { return 503; }
    location /flaky { if ($sockcap_fail = "1") { return 503; } return 200 "ok"; }`,
  });
});
after(() => nginx.stop());

function scenario(dir: string, path: string, extra = ''): string {
  return writeScenario(
    dir,
    'verdict.yaml',
    `name: verdict\ntarget: ${nginx.url.replace(/\/$/, '')}${path}\nprotocol: http\nconnections: 4\nduration: 1s\nwarmup: 0s\ninterval: 500ms\nworkers: 1\n${extra}`,
  );
}

async function run(path: string, extra: string, flags: string[] = []) {
  const dir = tempDir();
  const junit = join(dir, 'junit.xml');
  const result = await runCli(['run', scenario(dir, path, extra), '--out', join(dir, 'results'), '--junit', junit, ...flags], dir);
  const runDir = onlyRunDir(join(dir, 'results'));
  return {
    ...result,
    runDir,
    document: readJson<VerdictDocument>(join(runDir, 'run.json')),
    junit: readFileSync(junit, 'utf8'),
    report: readFileSync(join(runDir, 'report.html'), 'utf8'),
  };
}

test('a step whose every answer is an error fails the run: exit 1, a red line, run.json, report.html and JUnit say why', async () => {
  const dir = tempDir();
  const file = scenario(dir, '/down');
  const junit = join(dir, 'junit.xml');
  const { spawn } = await import('node:child_process');
  const { binPath } = await import('./helpers/cli.js');
  // FORCE_COLOR: the line is red even though stderr is a pipe here.
  const child = spawn(process.execPath, [binPath, 'run', file, '--out', join(dir, 'results'), '--junit', junit], {
    cwd: dir,
    env: { ...process.env, FORCE_COLOR: '1' },
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.resume();
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 1, stderr);
  // The red escape sequence, then the reason.
  const red = '\u001b[31m';
  assert.ok(stderr.includes(`${red}FAILED step main: nothing succeeded: `), stderr);
  assert.match(stderr, /FAILED step main: nothing succeeded: .*http_503/);
  const runDir = onlyRunDir(join(dir, 'results'));
  const document = readJson<VerdictDocument>(join(runDir, 'run.json'));
  assert.equal(document.status, 'completed');
  assert.equal(document.verdict.passed, false);
  assert.match(
    document.verdict.reasons[0]!,
    /^step main: nothing succeeded: no answered request, message or opened connection, [\d,]+ errors \(http_503 [\d,]+\)/,
  );
  assert.equal(document.verdict.steps[0]!.errorRate, 1);
  const report = readFileSync(join(runDir, 'report.html'), 'utf8');
  assert.match(report, /id="verdict">FAILED/);
  assert.match(report, /<li>step main: nothing succeeded: no answered request, message or opened connection, [\d,]+ errors \(http_503 [\d,]+\)/);
  const xml = readFileSync(junit, 'utf8');
  assert.match(xml, /failures="1"/);
  assert.match(xml, /<failure message="nothing succeeded: [^"]*http_503/);
});

test('an error rate above verdict.maxErrorRate fails the run; a higher limit or off lets it pass', async () => {
  const failed = await run('/flaky', '');
  assert.equal(failed.code, 1, failed.stderr);
  assert.match(failed.stderr, /FAILED step main: error rate [\d.]+% \([\d,]+ of [\d,]+ attempts: http_503 [\d,]+\) is above verdict.maxErrorRate 1%/);
  assert.equal(failed.document.verdict.passed, false);
  const rate = failed.document.verdict.steps[0]!.errorRate!;
  assert.ok(rate > 0.1 && rate < 0.3, `error rate ${rate}`);
  assert.match(failed.junit, /<failure message="error rate/);
  assert.match(failed.report, /id="verdict">FAILED/);
  assert.match(failed.report, /<li>step main: error rate [\d.]+% \([\d,]+ of [\d,]+ attempts: http_503 [\d,]+\) is above verdict\.maxErrorRate 1%/);

  const raised = await run('/flaky', 'verdict:\n  maxErrorRate: 50%\n');
  assert.equal(raised.code, 0, raised.stderr);
  assert.equal(raised.document.verdict.passed, true);
  assert.deepEqual(raised.document.verdict.reasons, []);
  assert.match(raised.junit, /failures="0"/);

  const off = await run('/flaky', '', ['--set', 'verdict.maxErrorRate=off']);
  assert.equal(off.code, 0, off.stderr);
  assert.doesNotMatch(off.stderr, /FAILED/);
});

const stopped =
  /FAILED step main: the target stopped answering: nothing succeeded in the last [\d.]+ s of the step, [\d,]+ errors in them \(the step's: .*ECONNREFUSED/;

/** A real HTTP server that answers until `close`, and a 3 s scenario against it: the rest of the run meets ECONNREFUSED. */
async function dyingTarget() {
  const server = http.createServer((_request, response) => response.end('ok'));
  const close = closerFor(server);
  const port = await listenOnFreePort(server);
  let answered = 0;
  server.on('request', () => answered++);
  const dir = tempDir();
  const file = writeScenario(
    dir,
    'dies.yaml',
    `name: dies\ntarget: http://127.0.0.1:${port}/\nprotocol: http\nconnections: 4\nduration: 3s\nwarmup: 0s\ninterval: 500ms\nworkers: 1\n`,
  );
  return { dir, file, close, answered: () => answered };
}

test('a target that dies mid-run fails the run, however few errors the backoff let through', async () => {
  const { dir, file, close, answered } = await dyingTarget();
  const { result } = startCli(['run', file, '--out', join(dir, 'results')], dir);
  while (answered() < 50) await new Promise((resolve) => setTimeout(resolve, 20));
  await close();
  const { code, stderr } = await result;
  assert.equal(code, 1, stderr);
  assert.match(stderr, stopped);
  const document = readJson<VerdictDocument>(join(onlyRunDir(join(dir, 'results')), 'run.json'));
  assert.equal(document.status, 'completed');
  assert.equal(document.verdict.passed, false);
});

test('two shards of a run whose target dies merge to the same failed verdict as one run', async () => {
  const { dir, file, close, answered } = await dyingTarget();
  // Shards that share a start line up their intervals, as a run spread over machines does.
  const startAt = new Date(Date.now() + 3000).toISOString();
  const shards = [1, 2].map((index) =>
    startCli(['run', file, '--shard', `${index}/2`, '--start-at', startAt, '--run-id', 'dies', '--out', join(dir, `shard-${index}`)], dir),
  );
  // Answered half the step, so the refusals that follow are far under the 1% error-rate limit.
  while (answered() === 0) await new Promise((resolve) => setTimeout(resolve, 20));
  await new Promise((resolve) => setTimeout(resolve, 1500));
  await close();
  for (const shard of shards) {
    const { code, stderr } = await shard.result;
    assert.equal(code, 1, stderr);
    assert.match(stderr, stopped);
  }
  // The merged step had answers early and few refusals late: only the tail of its intervals tells it failed.
  const merged = await runCli(['merge', join(dir, 'shard-1', 'dies'), join(dir, 'shard-2', 'dies'), '--out', join(dir, 'merged')], dir);
  assert.equal(merged.code, 1, merged.stderr);
  assert.match(merged.stderr, stopped);
  const document = readJson<VerdictDocument>(join(dir, 'merged', 'run.json'));
  assert.equal(document.verdict.passed, false);
  assert.match(document.verdict.reasons.join('\n'), /step main: the target stopped answering/);
  assert.ok(document.verdict.steps[0]!.errorRate! < 0.01, `merged error rate ${document.verdict.steps[0]!.errorRate}`);
});

test('a scenario that expects nothing to succeed says so and passes', async () => {
  const expected = await run('/down', 'verdict:\n  requireSuccess: false\n  maxErrorRate: off\n');
  assert.equal(expected.code, 0, expected.stderr);
  assert.equal(expected.document.verdict.passed, true);
  assert.equal(expected.document.verdict.steps[0]!.errorRate, 1);
});

test('a healthy nginx passes the default verdict', async () => {
  const healthy = await run('/', '');
  assert.equal(healthy.code, 0, healthy.stderr);
  assert.equal(healthy.document.verdict.passed, true);
  assert.equal(healthy.document.verdict.steps[0]!.errorRate, 0);
  assert.match(healthy.report, /id="verdict">PASSED/);
});

test('a bad verdict limit is refused naming the field', async () => {
  const dir = tempDir();
  const { code, stderr } = await runCli(['run', scenario(dir, '/'), '--set', 'verdict.maxErrorRate=lots', '--out', join(dir, 'results')], dir);
  assert.equal(code, 2);
  assert.match(stderr, /verdict\.maxErrorRate: expected an error rate like 1% or 0\.01 .*, or off, got "lots"/);
});
