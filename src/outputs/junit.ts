// JUnit XML for CI systems that show test results (GitLab, Jenkins, GitHub via a reporter
// action): one testcase per threshold and step, or per compared metric and step.
import { writeFileSync } from 'node:fs';
import { formatChange, type Comparison } from '../results/comparison.js';
import { gateOutcome, type ThresholdVerdict } from '../results/threshold-verdict.js';
import { formatValue } from '../scenario/metric-ref.js';
import type { RunResult } from '../results/run-result.js';

interface TestCase {
  classname: string;
  name: string;
  failure?: string;
  skipped?: string;
  output?: string;
}

function escapeXml(text: string): string {
  return text
    .replace(/[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function junitXml(suite: string, seconds: number, cases: readonly TestCase[]): string {
  const failures = cases.filter((c) => c.failure !== undefined).length;
  const skipped = cases.filter((c) => c.skipped !== undefined).length;
  const counts = `tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${seconds.toFixed(3)}"`;
  const body = cases.map((c) => {
    const open = `    <testcase classname="${escapeXml(c.classname)}" name="${escapeXml(c.name)}" time="0">`;
    const inner = [
      c.failure !== undefined ? `      <failure message="${escapeXml(c.failure)}">${escapeXml(c.failure)}</failure>` : '',
      c.skipped !== undefined ? `      <skipped message="${escapeXml(c.skipped)}"/>` : '',
      c.output !== undefined ? `      <system-out>${escapeXml(c.output)}</system-out>` : '',
    ].filter(Boolean);
    return [open, ...inner, '    </testcase>'].join('\n');
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="sockcap" ${counts}>`,
    `  <testsuite name="${escapeXml(suite)}" ${counts}>`,
    ...body,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

const className = (kind: string, step: string): string => `sockcap.${kind}.${step.replace(/[^A-Za-z0-9_-]+/g, '_')}`;

/** One testcase per step for the default verdict, and one for how the run ended when it did not complete. */
function verdictCases(run: RunResult): TestCase[] {
  const cases = run.verdict.steps.map((step): TestCase => {
    const base = { classname: className('verdict', step.step), name: 'default verdict (something succeeded, error rate within verdict.maxErrorRate)' };
    return step.passed ? base : { ...base, failure: step.reasons.join('; ') };
  });
  if (run.status !== 'completed') {
    cases.push({ classname: 'sockcap.run', name: 'run completed', failure: `run ${run.status}${run.reason ? `: ${run.reason}` : ''}` });
  }
  return cases;
}

export function writeThresholdsJunit(file: string, run: RunResult, seconds: number, verdicts: readonly ThresholdVerdict[]): void {
  const { unmeasured } = gateOutcome(verdicts);
  const thresholdCases = verdicts.map((verdict): TestCase => {
    const base = { classname: className('thresholds', verdict.step), name: verdict.expression, output: verdict.detail };
    if (verdict.verdict === 'fail') return { ...base, failure: `${verdict.metric} ${verdict.detail}` };
    if (verdict.verdict === 'no-data') {
      return unmeasured.includes(verdict.expression)
        ? { ...base, failure: `no step measured ${verdict.metric}: a threshold on nothing fails` }
        : { ...base, skipped: verdict.detail };
    }
    return base;
  });
  writeFileSync(file, junitXml(`sockcap thresholds ${run.runId}`, seconds, [...verdictCases(run), ...thresholdCases]));
}

export function writeCompareJunit(file: string, comparison: Comparison): void {
  const cases = comparison.rows
    .filter((row) => row.allowance !== undefined)
    .map((row): TestCase => {
      const text =
        `${row.metric}: baseline ${formatValue(row.ref.kind, row.baseline)}, current ${formatValue(row.ref.kind, row.current)}, ` +
        `change ${formatChange(row)}, allowed ${row.allowance!.text}${row.noise !== undefined ? `, noise considered` : ''}: ${row.verdict}`;
      const base = { classname: className('compare', row.step), name: row.metric, output: text };
      return row.verdict === 'regression' ? { ...base, failure: text } : base;
    });
  writeFileSync(file, junitXml(`sockcap compare ${comparison.current.runId}`, 0, cases));
}
