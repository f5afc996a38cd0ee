// The pieces every view of report.html and compare.html is built from: escaped text,
// tables, bar charts and heatmaps drawn in HTML (they read without JavaScript or hover),
// and the description of a uPlot chart the page script draws.
import { formatDecimal } from '../../metrics/decimal.js';

export interface Series {
  label: string;
  /** Shown in the legend beside the label, so the chart reads without hovering: "mean 1,234/s". */
  summary: string;
  values: (number | null)[];
  /** Default: a line. `points` for one point per step, `dashed` for a fitted or limit line. */
  style?: 'line' | 'points' | 'dashed';
  color?: string;
}

export interface ChartSpec {
  /** The element the page script draws into. */
  id: string;
  title: string;
  /** The y axis unit, also in the title. */
  unit: string;
  /** time: seconds since the run started; percentile: 1/(1-p) on a log scale; linear: any number (connections). */
  xKind: 'time' | 'percentile' | 'linear';
  xLabel: string;
  x: number[];
  series: Series[];
  /** Labelled vertical lines (step boundaries). */
  markers: { x: number; label: string }[];
  /** Shaded spans (warm-up). */
  bands: { from: number; to: number; label: string }[];
  /** Labelled horizontal lines (an SLO limit). */
  levels: { y: number; label: string }[];
}

/** A part of the page: its heading, its HTML, and the uPlot charts its HTML has holders for. */
export interface Section {
  id: string;
  title: string;
  html: string;
  charts: ChartSpec[];
}

export const palette = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#4b5563', '#ca8a04', '#db2777', '#65a30d'];

export const escapeHtml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function table(header: string[], rows: string[][], classFor?: (row: string[], index: number) => string): string {
  if (rows.length === 0) return '';
  const head = `<tr>${header.map((cell) => `<th>${escapeHtml(cell)}</th>`).join('')}</tr>`;
  const body = rows
    .map((row, i) => `<tr${classFor ? ` class="${classFor(row, i)}"` : ''}>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table>\n${head}\n${body}\n</table>`;
}

/** A holder the page script fills with the chart `spec`. */
export const chartHolder = (spec: ChartSpec): string => `<div class="chart" id="${spec.id}" data-chart="line" data-title="${escapeHtml(spec.title)}"></div>`;

export interface BarGroup {
  label: string;
  /** One value per series, null when that series was not measured in this group. */
  values: (number | null)[];
}

/**
 * Horizontal bars, one group per step (or transport), one bar per series, each with its value
 * written beside it: comparing steps that have nothing in common but their label (HTTP and
 * WebSocket) with bars, never with a line joining them.
 */
export function barChart(title: string, unit: string, seriesLabels: string[], groups: BarGroup[], format: (value: number) => string, colors = palette): string {
  const top = Math.max(0, ...groups.flatMap((group) => group.values.filter((value): value is number => value !== null)));
  const legend =
    seriesLabels.length > 1
      ? `<div class="legend">${seriesLabels.map((label, i) => `<span><i style="background:${colors[i % colors.length]}"></i>${escapeHtml(label)}</span>`).join('')}</div>`
      : '';
  const rows = groups
    .map((group) => {
      const bars = group.values
        .map((value, i) => {
          const name = seriesLabels.length > 1 ? `${seriesLabels[i]}: ` : '';
          if (value === null) return `<div class="bar"><span class="bar-value unmeasured">${escapeHtml(name)}not measured</span></div>`;
          const width = top > 0 ? Math.max(0.5, (value / top) * 100) : 0.5;
          return `<div class="bar"><span class="bar-fill" style="width:${width.toFixed(2)}%;background:${colors[i % colors.length]}"></span><span class="bar-value">${escapeHtml(name + format(value))}</span></div>`;
        })
        .join('');
      return `<div class="bar-group"><div class="bar-label">${escapeHtml(group.label)}</div><div class="bars">${bars}</div></div>`;
    })
    .join('\n');
  return `<div class="chart bar-chart" data-chart="bars" data-series="${seriesLabels.length}" data-title="${escapeHtml(title)}"><h3>${escapeHtml(title)} (${escapeHtml(unit)})</h3>${legend}\n${rows}</div>`;
}

/**
 * A table whose cells are coloured by value, the value written in each: rows are the values
 * of one varied field, columns those of another. `better` says which end is drawn green.
 */
export function heatmap(
  title: string,
  unit: string,
  axes: { rows: string; columns: string },
  rowLabels: string[],
  columnLabels: string[],
  cell: (row: number, column: number) => number | null,
  format: (value: number) => string,
  better: 'high' | 'low',
): string {
  const values = rowLabels.flatMap((_, r) => columnLabels.map((__, c) => cell(r, c))).filter((value): value is number => value !== null);
  const low = Math.min(...values);
  const high = Math.max(...values);
  const colour = (value: number): string => {
    const share = high > low ? (value - low) / (high - low) : 0.5;
    const goodness = better === 'high' ? share : 1 - share;
    // Red (0) through amber to green (120), pale enough for black text.
    return `hsl(${Math.round(goodness * 120)} 70% 80%)`;
  };
  const corner = axes.rows === '' ? `${axes.columns} →` : `${axes.rows} ↓ · ${axes.columns} →`;
  const head = `<tr><th>${escapeHtml(corner)}</th>${columnLabels.map((label) => `<th>${escapeHtml(label)}</th>`).join('')}</tr>`;
  const body = rowLabels
    .map((rowLabel, r) => {
      const cells = columnLabels.map((_, c) => {
        const value = cell(r, c);
        return value === null ? '<td class="unmeasured">not measured</td>' : `<td style="background:${colour(value)}">${escapeHtml(format(value))}</td>`;
      });
      return `<tr><th>${escapeHtml(rowLabel)}</th>${cells.join('')}</tr>`;
    })
    .join('\n');
  return `<div class="chart heatmap" data-chart="heatmap" data-series="1" data-title="${escapeHtml(title)}"><h3>${escapeHtml(title)} (${escapeHtml(unit)})</h3><table>\n${head}\n${body}\n</table></div>`;
}

/** `12,345`, `1.23`, `0.0012`: enough digits to read, no more. */
export function formatNumber(value: number): string {
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : abs >= 0.01 ? 3 : 4;
  return formatDecimal(value, digits);
}

/** `-` for a figure that was not measured, never `0 ms`. */
export const formatMs = (value: number | undefined): string => (value === undefined ? '-' : `${formatNumber(value)} ms`);
