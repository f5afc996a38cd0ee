// What a test reads off a rendered report.html or compare.html: the verdict, the warnings,
// the facts, and every chart with its kind, title, series and legend, as the browser drew them.
import { openPage, pageWidth } from './browser.js';

export interface RenderedChart {
  kind: 'line' | 'bars' | 'heatmap';
  title: string;
  series: number;
  /** The legend as shown without hovering (uPlot charts). */
  legend: string[];
  /** uPlot charts: whether a canvas was drawn. */
  drawn: boolean;
  /** The values written on the chart: bar labels, heatmap cells. */
  cells: string[];
  /** The colours of its bars. */
  colors: string[];
}

export interface ChartData {
  id: string;
  title: string;
  markers: { x: number; label: string }[];
  bands: { from: number; to: number; label: string }[];
  levels: { y: number; label: string }[];
  series: { label: string; summary: string; values: (number | null)[]; color?: string }[];
}

export interface RenderedReport {
  status: string;
  verdict: string;
  verdictClass: string;
  reasons: string[];
  warnings: string[];
  facts: Record<string, string>;
  sections: string[];
  charts: RenderedChart[];
  /** The chart descriptions the page drew from. */
  data: ChartData[];
  scrollWidth: number;
  text: string;
  problems: string[];
  requests: string[];
}

const probe = `(() => {
  const texts = (selector) => [...document.querySelectorAll(selector)].map((node) => node.textContent.trim());
  const facts = {};
  const terms = [...document.querySelectorAll('dl.facts dt')];
  for (const term of terms) facts[term.textContent] = term.nextElementSibling.textContent;
  const verdict = document.getElementById('verdict');
  return {
    status: document.getElementById('render-status').textContent,
    verdict: verdict ? verdict.textContent : '',
    verdictClass: verdict ? verdict.className : '',
    reasons: texts('ul.reasons li'),
    warnings: texts('ul.warnings li'),
    facts,
    sections: texts('section > h2'),
    charts: [...document.querySelectorAll('[data-chart]')].map((node) => ({
      kind: node.getAttribute('data-chart'),
      title: node.getAttribute('data-title'),
      series: Number(node.getAttribute('data-series')),
      legend: [...node.querySelectorAll('.u-legend .u-series')].map((item) => item.textContent.trim()),
      drawn: node.querySelector('canvas') !== null,
      cells: [...node.querySelectorAll('.bar-value, td')].map((cell) => cell.textContent.trim()),
      colors: [...node.querySelectorAll('.bar-fill')].map((bar) => getComputedStyle(bar).backgroundColor),
    })),
    data: JSON.parse(document.getElementById('report-data').textContent).charts,
    scrollWidth: document.documentElement.scrollWidth,
    text: document.body.innerText,
  };
})()`;

/** Opens `file` at 1280 px, reads it, saves a screenshot named `name` (test-artifacts/screenshots/). */
export async function readReport(file: string, name: string): Promise<RenderedReport> {
  const page = await openPage(file);
  try {
    const report = await page.evaluate<Omit<RenderedReport, 'problems' | 'requests'>>(probe);
    await page.screenshot(name);
    return { ...report, problems: page.problems, requests: page.requests };
  } finally {
    await page.close();
  }
}

/** What every report must be: drawn, no console error, nothing fetched, no horizontal scrollbar at 1280 px, legends readable. */
export function checkPage(report: RenderedReport): string[] {
  const faults: string[] = [];
  const lines = report.charts.filter((chart) => chart.kind === 'line');
  if (report.status !== `ok: ${lines.length} charts`) faults.push(`render status "${report.status}" for ${lines.length} line charts`);
  if (report.problems.length > 0) faults.push(`console: ${report.problems.join(' | ')}`);
  if (report.requests.length > 0) faults.push(`network requests: ${report.requests.join(', ')}`);
  if (report.scrollWidth > pageWidth) faults.push(`page is ${report.scrollWidth} px wide at ${pageWidth} px`);
  for (const chart of lines) {
    if (!chart.drawn) faults.push(`${chart.title}: no canvas`);
    if (chart.legend.length !== chart.series) faults.push(`${chart.title}: ${chart.legend.length} legend entries for ${chart.series} series`);
    for (const entry of chart.legend) if (!/: \S/.test(entry) || entry.includes('--')) faults.push(`${chart.title}: legend "${entry}" has no value`);
  }
  for (const series of report.data.flatMap((chart) => chart.series)) {
    if (series.values.every((value) => value === null)) faults.push(`series ${series.label} drawn with nothing measured`);
  }
  return faults;
}
