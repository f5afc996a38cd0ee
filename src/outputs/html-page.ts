// The page of report.html: tables rendered here, charts drawn in the browser by uPlot
// (inlined from node_modules, so the file works offline and from a CI artifact). The page
// writes "ok: N charts" or the first error into #render-status, which the tests read.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface ChartSpec {
  section: 'time' | 'distribution' | 'steps';
  title: string;
  unit: string;
  /** time: seconds since the run started; percentile: 1/(1-p) on a log scale; step: one point per step. */
  axis: 'time' | 'percentile' | 'step';
  x: number[];
  series: { label: string; values: (number | null)[] }[];
  markers: { x: number; label: string }[];
  stepLabels?: string[];
}

export interface PageData {
  title: string;
  facts: [string, string][];
  warnings: string[];
  summary: { header: string[]; rows: string[][] };
  thresholds: { expression: string; step: string; value: string; verdict: string }[];
  errors: [string, string, string][];
  charts: ChartSpec[];
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

const escapeHtml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Inline <script> content must not close the element early. */
const inlineScript = (text: string): string => text.replace(/<\/(script)/gi, '<\\/$1');

function table(header: string[], rows: string[][], classFor?: (row: string[]) => string): string {
  if (rows.length === 0) return '';
  const head = `<tr>${header.map((cell) => `<th>${escapeHtml(cell)}</th>`).join('')}</tr>`;
  const body = rows
    .map((row) => `<tr${classFor ? ` class="${classFor(row)}"` : ''}>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`)
    .join('\n');
  return `<div class="table-wrap"><table>\n${head}\n${body}\n</table></div>`;
}

const style = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto; max-width: 1150px; padding: 0 16px; color: #111827; }
h1 { font-size: 20px; margin: 0 0 12px; } h2 { font-size: 16px; margin: 28px 0 8px; border-bottom: 1px solid #e5e7eb; padding-bottom: 4px; }
h3 { font-size: 14px; margin: 14px 0 4px; font-weight: 600; }
table { border-collapse: collapse; margin: 6px 0; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #e5e7eb; padding: 3px 8px; text-align: left; } th { background: #f9fafb; }
tr.fail td { background: #fee2e2; } tr.pass td { background: #ecfdf5; } tr.no-data td { color: #6b7280; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0; } dl.facts dt { color: #6b7280; }
.warning { color: #92400e; } #render-status { color: #6b7280; font-size: 12px; margin-top: 24px; }
.chart { margin-bottom: 12px; } .table-wrap { overflow-x: auto; } td { white-space: nowrap; }
`;

// Runs in the browser: builds one uPlot per chart spec, then reports what it drew.
const pageScript = `
(function () {
  var status = document.getElementById('render-status');
  var failed = false;
  function report(text) { status.textContent = text; status.setAttribute('data-state', text.split(':')[0]); }
  window.addEventListener('error', function (event) { failed = true; report('error: ' + (event.message || String(event))); });
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var palette = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#4b5563', '#ca8a04', '#db2777', '#65a30d'];
  var dpr = window.devicePixelRatio || 1;

  function markersPlugin(markers) {
    return { hooks: { draw: [function (u) {
      if (!markers.length) return;
      var ctx = u.ctx;
      ctx.save();
      ctx.strokeStyle = '#9ca3af'; ctx.fillStyle = '#4b5563'; ctx.setLineDash([4 * dpr, 4 * dpr]);
      ctx.font = (11 * dpr) + 'px sans-serif';
      markers.forEach(function (marker) {
        var x = Math.round(u.valToPos(marker.x, 'x', true));
        if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) return;
        ctx.beginPath(); ctx.moveTo(x, u.bbox.top); ctx.lineTo(x, u.bbox.top + u.bbox.height); ctx.stroke();
        ctx.fillText(marker.label, x + 4 * dpr, u.bbox.top + 12 * dpr);
      });
      ctx.restore();
    }] } };
  }

  function percentileLabel(v) {
    var p = 100 * (1 - 1 / v);
    return (Math.round(p * 1000) / 1000) + '%';
  }

  function xOptions(spec) {
    if (spec.axis === 'percentile') {
      var top = Math.max.apply(null, spec.x.concat([10]));
      var splits = [1]; for (var v = 10; v <= top * 10; v *= 10) splits.push(v);
      return {
        scale: { time: false, distr: 3, log: 10, range: function () { return [1, splits[splits.length - 1]]; } },
        axis: { label: 'percentile', splits: function () { return splits; }, values: function (u, vals) { return vals.map(percentileLabel); } },
        value: function (u, v) { return v == null ? '-' : percentileLabel(v); },
      };
    }
    if (spec.axis === 'step') {
      var labels = spec.stepLabels || [];
      return {
        scale: { time: false, range: function () { return [-0.5, labels.length - 0.5]; } },
        axis: { label: 'step', splits: function () { return labels.map(function (_, i) { return i; }); }, values: function (u, vals) { return vals.map(function (i) { return labels[i] || ''; }); } },
        value: function (u, v) { return v == null ? '-' : (labels[v] || ''); },
      };
    }
    return { scale: { time: false }, axis: { label: 'seconds since the run started' }, value: function (u, v) { return v == null ? '-' : v.toFixed(1) + ' s'; } };
  }

  function draw(spec, index) {
    var holder = document.getElementById('charts-' + spec.section);
    var box = document.createElement('div');
    box.className = 'chart';
    box.setAttribute('data-chart', String(index));
    var heading = document.createElement('h3');
    heading.textContent = spec.title + ' (' + spec.unit + ')';
    box.appendChild(heading);
    holder.appendChild(box);
    var x = xOptions(spec);
    var points = spec.axis === 'step';
    var series = [{ label: x.axis.label, value: x.value }].concat(spec.series.map(function (s, i) {
      return { label: s.label, stroke: palette[i % palette.length], width: 1.5, spanGaps: false, points: { show: points, size: 7 } };
    }));
    var options = {
      width: Math.max(320, Math.min(1100, holder.clientWidth || 800)),
      height: 260,
      scales: { x: x.scale, y: { range: function (u, min, max) { return [0, max > 0 ? max * 1.05 : 1]; } } },
      axes: [x.axis, { label: spec.unit, size: 60 }],
      series: series,
      plugins: [markersPlugin(spec.markers)],
    };
    new uPlot(options, [spec.x].concat(spec.series.map(function (s) { return s.values; })), box);
    return box.querySelector('canvas') ? 1 : 0;
  }

  var drawn = 0;
  data.charts.forEach(function (spec, i) { drawn += draw(spec, i); });
  ['time', 'distribution', 'steps'].forEach(function (section) {
    var holder = document.getElementById('charts-' + section);
    if (!holder || holder.children.length) return;
    var heading = holder.previousElementSibling;
    if (heading && heading.tagName === 'H2') heading.remove();
    holder.remove();
  });
  if (!failed) report(drawn === data.charts.length ? 'ok: ' + drawn + ' charts' : 'error: drew ' + drawn + ' of ' + data.charts.length + ' charts');
})();
`;

export function renderPage(data: PageData): string {
  const { script, css } = uplotFiles();
  const json = JSON.stringify({ charts: data.charts }).replace(/</g, '\\u003c');
  const thresholds = table(
    ['threshold', 'step', 'measured', 'verdict'],
    data.thresholds.map((t) => [t.expression, t.step, t.value, t.verdict]),
    (row) => row[3] ?? '',
  );
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(data.title)}</title>
<style>${css}</style>
<style>${style}</style>
</head>
<body>
<h1>${escapeHtml(data.title)}</h1>
<dl class="facts">${data.facts.map(([name, value]) => `<dt>${escapeHtml(name)}</dt><dd>${escapeHtml(value)}</dd>`).join('')}</dl>
${data.warnings.map((warning) => `<p class="warning">warning: ${escapeHtml(warning)}</p>`).join('\n')}
<h2>Summary</h2>
${table(data.summary.header, data.summary.rows)}
${thresholds ? `<h2>Thresholds</h2>\n${thresholds}` : ''}
<h2>Over time</h2>
<div id="charts-time"></div>
<h2>Percentile distribution</h2>
<div id="charts-distribution"></div>
<h2>Steps compared</h2>
<div id="charts-steps"></div>
${data.errors.length > 0 ? `<h2>Errors</h2>\n${table(['step', 'code', 'count'], data.errors)}` : ''}
<div id="render-status" data-state="pending">charts not drawn (JavaScript is off, or the page failed before drawing)</div>
<script type="application/json" id="report-data">${json}</script>
<script>${inlineScript(script)}</script>
<script>${inlineScript(pageScript)}</script>
</body>
</html>
`;
}
