// The frame of report.html and compare.html: the verdict and the facts first, then one
// section per view, uPlot and its stylesheet inlined from node_modules so the file works
// offline and from a CI artifact, and the chart descriptions as JSON for the page script.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chartScript } from './chart-script.js';
import { escapeHtml, type Section } from './html.js';

export interface Headline {
  title: string;
  /** `passed`, `failed`, or `warned` (passed, but a warning says the numbers may not be trusted). */
  state: 'passed' | 'failed' | 'warned' | 'running';
  /** The one line that says whether the run passed, and why. */
  verdict: string;
  reasons: string[];
  warnings: string[];
  facts: [string, string][];
}

const require = createRequire(import.meta.url);
let uplot: { script: string; css: string } | undefined;

function uplotFiles(): { script: string; css: string } {
  uplot ??= {
    script: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  };
  return uplot;
}

/** Inline <script> content must not close the element early. */
const inlineScript = (text: string): string => text.replace(/<\/(script)/gi, '<\\/$1');

const style = `
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 20px auto; max-width: 1200px; padding: 0 20px; color: #111827; }
h1 { font-size: 20px; margin: 0 0 10px; } h2 { font-size: 17px; margin: 30px 0 8px; border-bottom: 1px solid #e5e7eb; padding-bottom: 4px; }
h3 { font-size: 14px; margin: 14px 0 4px; font-weight: 600; }
.verdict { font-size: 18px; font-weight: 600; padding: 10px 14px; border-radius: 6px; margin: 0 0 8px; }
.verdict.passed { background: #dcfce7; color: #14532d; } .verdict.failed { background: #fee2e2; color: #7f1d1d; }
.verdict.warned { background: #fef3c7; color: #78350f; } .verdict.running { background: #e5e7eb; }
ul.reasons, ul.warnings { margin: 4px 0 10px; padding-left: 22px; } ul.warnings li { color: #92400e; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 8px 0; } dl.facts dt { color: #6b7280; } dl.facts dd { margin: 0; overflow-wrap: anywhere; }
table { border-collapse: collapse; margin: 6px 0; font-variant-numeric: tabular-nums; font-size: 13px; max-width: 100%; }
th, td { border: 1px solid #e5e7eb; padding: 3px 7px; text-align: left; vertical-align: top; } th { background: #f9fafb; font-weight: 600; }
td { white-space: nowrap; } td:first-child { white-space: normal; overflow-wrap: anywhere; min-width: 130px; } td:last-child { white-space: normal; }
tr.fail td, tr.regression td { background: #fee2e2; } tr.within-noise td { background: #fef3c7; } tr.not-gated td { color: #6b7280; } tr.pass td, tr.improvement td { background: #ecfdf5; } tr.no-data td, td.unmeasured, .unmeasured { color: #6b7280; }
.chart { margin: 4px 0 18px; } .legend span { margin-right: 14px; font-size: 13px; } .legend i { display: inline-block; width: 10px; height: 10px; margin-right: 5px; border-radius: 2px; }
.bar-group { display: grid; grid-template-columns: 220px 1fr; gap: 8px; padding: 3px 0; border-bottom: 1px solid #f3f4f6; }
.bar-label { overflow-wrap: anywhere; font-size: 13px; } .bar { display: flex; align-items: center; gap: 6px; height: 18px; font-size: 12px; }
.bar-fill { display: inline-block; height: 12px; border-radius: 2px; } .bar-value { white-space: nowrap; }
.bars { display: flex; flex-direction: column; min-width: 0; } .bar { max-width: 100%; } .bar-fill { max-width: calc(100% - 160px); }
.note { color: #4b5563; font-size: 13px; } #render-status { color: #6b7280; font-size: 12px; margin-top: 24px; }
.u-legend { text-align: left; font-size: 13px; } .u-legend .u-series > * { padding: 2px 4px; }
`;

function headline(head: Headline): string {
  const list = (items: string[], kind: string): string =>
    items.length === 0 ? '' : `<ul class="${kind}">${items.map((item) => `<li>${escapeHtml(item)}</li>`).join('')}</ul>`;
  return `<h1>${escapeHtml(head.title)}</h1>
<p class="verdict ${head.state}" id="verdict">${escapeHtml(head.verdict)}</p>
${list(head.reasons, 'reasons')}
${
  head.warnings.length > 0
    ? `<h3>Warnings</h3>\n${list(
        head.warnings.map((warning) => `warning: ${warning}`),
        'warnings',
      )}`
    : ''
}
<dl class="facts">${head.facts.map(([name, value]) => `<dt>${escapeHtml(name)}</dt><dd>${escapeHtml(value)}</dd>`).join('')}</dl>`;
}

/** `liveScript` runs after the charts are drawn (the live dashboard's updates). */
export function renderPage(head: Headline, sections: readonly Section[], liveScript = ''): string {
  const { script, css } = uplotFiles();
  const shown = sections.filter((section) => section.html !== '');
  const json = JSON.stringify({ charts: shown.flatMap((section) => section.charts) }).replace(/</g, '\\u003c');
  const body = shown.map((section) => `<section id="${section.id}">\n<h2>${escapeHtml(section.title)}</h2>\n${section.html}\n</section>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(head.title)}</title>
<style>${css}</style>
<style>${style}</style>
</head>
<body>
${headline(head)}
${body}
<div id="render-status" data-state="pending">charts not drawn (JavaScript is off, or the page failed before drawing)</div>
<script type="application/json" id="report-data">${json}</script>
<script>${inlineScript(script)}</script>
<script>${inlineScript(chartScript)}</script>
${liveScript === '' ? '' : `<script>${inlineScript(liveScript)}</script>\n`}</body>
</html>
`;
}
