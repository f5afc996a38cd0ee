// Markdown for a pull-request comment or a CI job summary ($GITHUB_STEP_SUMMARY): the
// verdict first, then the numbers behind it in tables GitHub and GitLab render.
import { writeFileSync } from 'node:fs';
import { formatNoise, formatChange, type Comparison, type CompareVerdict, noiseDeviations } from '../results/comparison.js';
import { gateOutcome, type ThresholdVerdict, type Verdict } from '../results/threshold-verdict.js';
import { formatValue } from '../scenario/metric-ref.js';
import type { RunResult } from '../results/run-result.js';
import { summaryRow } from '../results/summary-row.js';
import { measuredCell } from '../results/number-format.js';
import { primaryMetricOf } from '../protocols/index.js';
import { formatCount, formatMs } from './table.js';

const cell = (text: string | number): string => String(text).replace(/\|/g, '\\|').replace(/\n/g, ' ');
const code = (text: string): string => `\`${text.replace(/`/g, "'")}\``;

function table(header: string[], rows: (string | number)[][]): string[] {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`)];
}

const thresholdMark: Record<Verdict, string> = { pass: '✅ pass', fail: '❌ fail', 'no-data': '➖ no data' };

export function thresholdsMarkdown(run: RunResult, verdicts: readonly ThresholdVerdict[]): string {
  const outcome = gateOutcome(verdicts);
  const title =
    verdicts.length === 0
      ? 'no thresholds'
      : outcome.passed
        ? `✅ ${verdicts.length === 1 ? 'threshold' : 'thresholds'} passed`
        : `❌ ${outcome.failed.length + outcome.unmeasured.length} threshold ${outcome.failed.length + outcome.unmeasured.length === 1 ? 'check' : 'checks'} failed`;
  const lines = [
    `### sockcap ${run.scenario.base.name}: ${title}`,
    '',
    `Run ${code(run.runId)}, ${run.status}${run.reason ? ` (${run.reason})` : ''}, ${run.steps.length} step${run.steps.length === 1 ? '' : 's'}.`,
    '',
    ...table(
      ['step', 'protocol', 'connections', 'per s', 'errors', 'p50', 'p99', 'p99.9', 'saturated'],
      run.steps.map((step) => {
        const row = summaryRow(run.runId, run.scenario.base.name, step, primaryMetricOf(step.step));
        return [
          step.step.stepLabel,
          step.step.protocol,
          step.step.connections,
          formatCount(measuredCell(row.throughput_per_s)),
          formatCount(step.totals.errors),
          formatMs(measuredCell(row.latency_p50_ms)),
          formatMs(measuredCell(row.latency_p99_ms)),
          formatMs(measuredCell(row.latency_p999_ms)),
          row.generator_saturated ? '⚠️ yes' : 'no',
        ];
      }),
    ),
  ];
  if (verdicts.length > 0) {
    lines.push(
      '',
      ...table(
        ['threshold', 'step', 'measured', 'verdict'],
        verdicts.map((v) => [code(v.expression), v.step, v.detail, thresholdMark[v.verdict]]),
      ),
    );
  }
  for (const text of outcome.unmeasured) lines.push('', `❌ ${code(text)}: no step measured this metric, so the threshold fails.`);
  return `${lines.join('\n')}\n`;
}

const compareMark: Record<CompareVerdict, string> = {
  ok: '✅ ok',
  regression: '❌ regression',
  improvement: '🟢 improvement',
  'within noise': '〰️ within noise',
  'not gated': '',
};

export function compareMarkdown(comparison: Comparison): string {
  const count = comparison.regressions.length;
  const title = count === 0 ? '✅ no regression' : `❌ ${count} regression${count === 1 ? '' : 's'}`;
  const baselines = comparison.baselineRuns.map((run) => code(run.runId)).join(', ');
  const lines = [
    `### sockcap compare: ${title}`,
    '',
    `Current ${code(comparison.current.runId)} against ${comparison.baselineRuns.length === 1 ? 'baseline' : `${comparison.baselineRuns.length} baseline runs`} ${baselines}, on merged histograms and counters.`,
    '',
    comparison.noiseEstimated
      ? `Noise was measured from the runs themselves (${noiseDeviations} standard deviations of each step's interval-to-interval variation${comparison.baselineRuns.length > 1 ? `, and the spread of the ${comparison.baselineRuns.length} baseline runs` : ''}): a change beyond its allowance but inside that noise, or a latency change under the absolute floor, is reported as *within noise* and does not fail.`
      : 'No noise estimate (too few intervals in the runs; run longer, or give several runs with `--baseline`).',
    '',
    ...table(
      ['step', 'metric', 'baseline', 'current', 'change', 'allowed', 'noise', 'verdict'],
      comparison.rows
        .filter((row) => row.headline)
        .map((row) => [
          row.step,
          code(row.metric),
          formatValue(row.ref.kind, row.baseline),
          formatValue(row.ref.kind, row.current),
          formatChange(row),
          row.allowance?.text ?? 'not gated',
          formatNoise(row),
          compareMark[row.verdict],
        ]),
    ),
  ];
  if (comparison.notes.length > 0) lines.push('', ...comparison.notes.map((note) => `- ${note}`));
  return `${lines.join('\n')}\n`;
}

export function writeMarkdown(file: string, text: string): void {
  writeFileSync(file, text);
}
