// Thresholds on real runs against the built-in target: a run that meets them exits 0, one
// with an injected delay exits 1, abortOnFail stops a long run early with exit 1, and a
// threshold on an unknown metric is refused at load with exit 2.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { cellNumber, onlyRunDir, readCsv, readJson, runCli, testDir, writeScenario } from './helpers/cli.js';

const base = `protocol: http
connections: 4
duration: 1500ms
warmup: 0s
interval: 500ms
workers: 1
`;

interface JunitCase {
  '@_classname': string;
  '@_name': string;
  failure?: unknown;
  skipped?: unknown;
}

function junitCases(file: string): { suite: Record<string, string>; cases: JunitCase[] } {
  const xml = readFileSync(file, 'utf8');
  assert.equal(XMLValidator.validate(xml), true, 'JUnit file is well-formed XML');
  const parsed = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'testcase' }).parse(xml) as {
    testsuites: { testsuite: Record<string, string> & { testcase?: JunitCase[] } };
  };
  const suite = parsed.testsuites.testsuite;
  // The default verdict has testcases of its own (test/verdict.test.ts); these tests are about thresholds.
  return { suite, cases: (suite.testcase ?? []).filter((c) => c['@_classname'].startsWith('sockcap.thresholds.')) };
}

test('thresholds met on the built-in target: exit 0, every verdict pass, JUnit and Markdown written', async (t) => {
  const dir = testDir(t);
  const file = writeScenario(
    dir,
    'pass.yaml',
    `name: gate-pass\n${base}thresholds:\n  - latency.p99 < 2s\n  - error_rate < 1%\n  - throughput_per_s > 20\n  - expression: connect.max < 5s\n`,
  );
  const junit = join(dir, 'junit.xml');
  const markdown = join(dir, 'summary.md');
  const { code, stdout, stderr } = await runCli(['run', file, '--out', join(dir, 'results'), '--junit', junit, '--markdown', markdown], dir);
  assert.equal(code, 0, stderr);
  assert.match(stdout, /thresholds: all 4 passed/);
  const runDir = onlyRunDir(join(dir, 'results'));
  const verdicts = readCsv(join(runDir, 'thresholds.csv'));
  assert.deepEqual(
    verdicts.map((row) => [row.threshold, row.verdict]),
    [
      ['latency.p99 < 2s', 'pass'],
      ['error_rate < 1%', 'pass'],
      ['throughput_per_s > 20', 'pass'],
      ['connect.max < 5s', 'pass'],
    ],
  );
  const summary = readCsv(join(runDir, 'summary.csv'))[0]!;
  assert.equal(cellNumber(verdicts[0], 'value'), cellNumber(summary, 'latency_p99_ms'), 'the verdict reads the same number as summary.csv');
  assert.equal(cellNumber(verdicts[2], 'value'), cellNumber(summary, 'throughput_per_s'));

  const { suite, cases } = junitCases(junit);
  assert.equal(cases.length, 4, 'one testcase per threshold');
  assert.equal(suite['@_failures'], '0');
  assert.deepEqual(
    cases.map((c) => c['@_name']),
    ['latency.p99 < 2s', 'error_rate < 1%', 'throughput_per_s > 20', 'connect.max < 5s'],
  );
  assert.ok(cases.every((c) => c.failure === undefined));

  const text = readFileSync(markdown, 'utf8');
  assert.match(text, /^### sockcap gate-pass: ✅ thresholds passed/);
  assert.match(text, /\| `latency.p99 < 2s` \| main \| .* \| ✅ pass \|/);
  const run = readJson<{ gate: { thresholds: { verdict: string }[] } }>(join(runDir, 'run.json'));
  assert.equal(run.gate.thresholds.length, 4);
  assert.ok(existsSync(join(runDir, 'report.html')));
});

test('an injected delay fails its threshold: exit 1, the failure in thresholds.csv, JUnit and on the console', async (t) => {
  const dir = testDir(t);
  const file = writeScenario(
    dir,
    'slow.yaml',
    `name: gate-fail\n${base}server:\n  responseDelay: 30ms\nthresholds:\n  - latency.p50 < 10ms\n  - error_rate < 1%\n`,
  );
  const junit = join(dir, 'junit.xml');
  const { code, stdout, stderr } = await runCli(
    ['run', file, '--out', join(dir, 'results'), '--junit', junit, '--threshold', 'rtt.p99 < 1s', '--threshold', 'latency.p50 >= 30ms'],
    dir,
  );
  assert.equal(code, 1, stderr);
  assert.match(stdout, /latency\.p50 < 10ms\s+main\s+\d+(\.\d+)? ms\s+FAIL/);
  assert.match(stdout, /threshold "rtt.p99 < 1s": no step measured this metric, so it fails/);
  const verdicts = readCsv(join(onlyRunDir(join(dir, 'results')), 'thresholds.csv'));
  const byExpression = new Map(verdicts.map((row) => [row.threshold, row]));
  assert.equal(byExpression.get('latency.p50 < 10ms')?.verdict, 'fail');
  assert.ok(cellNumber(byExpression.get('latency.p50 < 10ms'), 'value') >= 30, 'the delay shows in the measured value');
  assert.equal(byExpression.get('latency.p50 >= 30ms')?.verdict, 'pass');
  assert.equal(byExpression.get('error_rate < 1%')?.verdict, 'pass');
  assert.equal(byExpression.get('rtt.p99 < 1s')?.verdict, 'no-data');

  const { suite, cases } = junitCases(junit);
  assert.equal(cases.length, 4);
  assert.equal(suite['@_failures'], '2');
  assert.ok(cases.find((c) => c['@_name'] === 'latency.p50 < 10ms')?.failure !== undefined);
  assert.ok(cases.find((c) => c['@_name'] === 'rtt.p99 < 1s')?.failure !== undefined, 'a threshold nothing measured fails');
});

test('abortOnFail stops a long run after its grace period, with exit 1 and the reason recorded', async (t) => {
  const dir = testDir(t);
  const file = writeScenario(
    dir,
    'abort.yaml',
    `name: gate-abort\n${base.replace('duration: 1500ms', 'duration: 20s')}server:\n  responseDelay: 30ms\n` +
      `thresholds:\n  - expression: latency.p99 < 10ms\n    abortOnFail: true\n    gracePeriod: 1s\n  - error_rate < 1%\n` +
      `steps:\n  - name: first\n  - name: never-reached\n`,
  );
  const started = Date.now();
  const { code, stderr } = await runCli(['run', file, '--out', join(dir, 'results')], dir);
  const seconds = (Date.now() - started) / 1000;
  assert.equal(code, 1, stderr);
  assert.ok(seconds < 10, `stopped early: ${seconds} s`);
  assert.match(stderr, /threshold "latency.p99 < 10ms" failed after \d+\.\d s of step first .*abortOnFail stopped the run/);
  const runDir = onlyRunDir(join(dir, 'results'));
  const run = readJson<{ status: string; reason: string; steps: unknown[]; gate: { abortedBy: { expression: string; step: string } } }>(
    join(runDir, 'run.json'),
  );
  assert.equal(run.status, 'interrupted');
  assert.match(run.reason, /abortOnFail/);
  assert.equal(run.steps.length, 1, 'the second step never ran');
  assert.equal(run.gate.abortedBy.expression, 'latency.p99 < 10ms');
  const verdicts = readCsv(join(runDir, 'thresholds.csv'));
  assert.equal(verdicts[0]!.verdict, 'fail');
  assert.match(verdicts[0]!.detail!, /stopped the run \(abortOnFail\)/);
  const summary = readCsv(join(runDir, 'summary.csv'));
  assert.ok(cellNumber(summary[0], 'requests') > 0, 'what was measured before the stop is kept');
});

test('a threshold on an unknown metric is refused at load, naming thresholds[2] and the position', async (t) => {
  const dir = testDir(t);
  const file = writeScenario(dir, 'typo.yaml', `name: gate-typo\n${base}thresholds:\n  - latency.p99 < 50ms\n  - error_rate < 1%\n  - latncy.p99 < 50ms\n`);
  const { code, stderr } = await runCli(['run', file, '--out', join(dir, 'results')], dir);
  assert.equal(code, 2);
  assert.match(stderr, /^sockcap: .*typo\.yaml: thresholds\[2\]: "latncy\.p99 < 50ms" at position 1: unknown metric latncy\.p99; did you mean latency\?/);
  assert.equal(stderr.trim().split('\n').length, 1, stderr);
  const results = join(dir, 'results');
  assert.ok(!existsSync(results) || readdirSync(results).length === 0, 'no load sent, no results folder');

  const plain = writeScenario(dir, 'plain.yaml', `name: gate-plain\n${base}`);
  const flag = await runCli(['run', plain, '--threshold', 'latency.p99 <= fast', '--out', results], dir);
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /^sockcap: --threshold: "latency.p99 <= fast" at position 16: expected a duration like 50ms/);
});
