// compare.html of `sockcap compare`: the verdict first (regression or not, and which
// metrics), then per step every metric's distribution in the baseline and the current run
// overlaid, and the table of changes with their allowance, the noise estimate and the verdict.
import { writeFileSync } from 'node:fs';
import { formatNoise, formatChange, type Comparison, type CompareRow } from '../../results/comparison.js';
import { mergeSteps } from '../../results/merge-steps.js';
import { metricNames } from '../../metrics/histogram.js';
import type { StepResult } from '../../results/run-result.js';
import { formatValue } from '../../scenario/metric-ref.js';
import { version } from '../../version.js';
import { changeCells } from '../gate-console.js';
import { percentileChart } from './distribution-view.js';
import { chartHolder, table, type ChartSpec, type Section } from './html.js';
import { renderPage, type Headline } from './page.js';

const baselineColor = '#6b7280';
const currentColor = '#2563eb';

function headline(comparison: Comparison): Headline {
  const { rows, regressions, baselineRuns, current } = comparison;
  const noisy = rows.filter((row) => row.verdict === 'within noise').length;
  const improved = rows.filter((row) => row.verdict === 'improvement').length;
  const gated = rows.filter((row) => row.verdict !== 'not gated').length;
  const steps = new Set(rows.map((row) => row.step)).size;
  // Noise comes from each run's own interval-to-interval variation, plus the spread of the baselines when there are several.
  const noiseSource = baselineRuns.length > 1 ? `the runs' own intervals and the spread of ${baselineRuns.length} baseline runs` : "the runs' own intervals";
  const parts = [
    `${gated} of ${rows.length} metrics gated in ${steps} step${steps === 1 ? '' : 's'}`,
    `${regressions.length} regression${regressions.length === 1 ? '' : 's'}`,
    `${noisy} within noise`,
    `${improved} improvement${improved === 1 ? '' : 's'}`,
    comparison.noiseEstimated ? `noise measured from ${noiseSource}` : 'noise not estimated',
  ];
  const word = regressions.length > 0 ? 'REGRESSION' : 'NO REGRESSION';
  return {
    title: `sockcap compare · ${current.runId}`,
    state: regressions.length > 0 ? 'failed' : 'passed',
    verdict: `${word}: ${parts.join('; ')}`,
    reasons: regressions.map(
      (row) =>
        `step ${row.step}: ${row.metric} ${formatChange(row)} (${describe(row)}), allowed ${row.allowance?.text ?? '-'}${row.noise === undefined ? '' : `, noise ${formatNoise(row)}`}`,
    ),
    warnings: comparison.notes,
    facts: [
      ['baseline', baselineRuns.map((run) => run.dir).join(', ')],
      ['current', current.dir],
      [
        'noise',
        comparison.noiseEstimated
          ? `measured from ${noiseSource}`
          : 'not estimated: the runs have too few intervals; give several baseline runs (--baseline dir1 dir2 … current)',
      ],
      ['sockcap', version],
    ],
  };
}

/** The table lists what failed first, what was not gated last. */
const severity: Record<CompareRow['verdict'], number> = { regression: 0, 'within noise': 1, improvement: 2, ok: 3, 'not gated': 4 };

const describe = (row: CompareRow): string => `${formatValue(row.ref.kind, row.baseline)} → ${formatValue(row.ref.kind, row.current)}`;

function stepSection(comparison: Comparison, step: StepResult, index: number): Section {
  const label = step.step.stepLabel;
  const baselines = comparison.baselineRuns.flatMap((run) => run.steps.filter((candidate) => candidate.step.stepLabel === label));
  const merged = baselines.length > 0 ? mergeSteps(baselines) : undefined;
  const charts = metricNames.flatMap((metric): ChartSpec[] => {
    const chart = percentileChart(`compare-${index}-${metric}`, `${metric} percentile distribution`, [
      {
        label: baselines.length > 1 ? `baseline (${baselines.length} runs merged)` : 'baseline',
        histogram: merged?.histograms.get(metric),
        color: baselineColor,
        style: 'dashed',
      },
      { label: 'current', histogram: step.histograms.get(metric), color: currentColor },
    ]);
    // Overlaid means both: a metric only one side measured is listed in the table, not drawn alone.
    return chart && chart.series.length === 2 ? [chart] : [];
  });
  const rows = comparison.rows
    .filter((row) => row.step === label)
    .sort((a, b) => severity[a.verdict] - severity[b.verdict])
    .map((row) => [row.metric, ...changeCells(row), row.verdict, row.note]);
  const html = [
    table(['metric', 'baseline', 'current', 'change', 'allowance', 'noise', 'verdict', 'note'], rows, (row) => (row[6] ?? '').replace(/ /g, '-')),
    ...charts.map(chartHolder),
  ].join('\n');
  return { id: `step-${index}`, title: `Step ${label}`, html: rows.length > 0 ? html : '', charts };
}

export function writeCompareHtml(file: string, comparison: Comparison): void {
  const sections = comparison.current.steps.map((step, index) => stepSection(comparison, step, index));
  writeFileSync(file, renderPage(headline(comparison), sections));
}
