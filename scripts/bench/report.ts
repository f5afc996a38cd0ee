// Tables of the bench: one row per run, then one per tool over all its rounds (total count
// over total time, total CPU over total count), with the ratio the issue targets.
import { formatTable } from '../../src/outputs/table.js';
import { autocannonTool } from './autocannon-tool.js';
import type { HttpTargetResult } from './http-bench.js';
import { h2Connections, h2Streams, type H2BenchResult } from './h2-bench.js';
import { h2loadTool } from './h2load-tool.js';
import { combineRuns, cpuMicrosPerItem, itemsPerCpuSecond, perSecond, type ToolRun } from './tool-run.js';
import { bareTool, sessionTool, type WsBenchResult } from './ws-bench.js';
import { baselineTool, sockcapToolName } from './sockcap-tool.js';
import { sockcapWholeTool, type WholeComparison } from './whole-bench.js';

/** Target of the issue: autocannon µs/request ÷ sockcap µs/request. */
export const httpRatioTarget = 1.0;
/** Target of the issue: sockcap messages per CPU-second ÷ the bare loop's. */
export const wsRatioTarget = 0.9;
/** A session loop of one send and one correlated expect may cost at most this many times the plain echo's CPU per message. */
export const sessionCostLimit = 1.5;

const fixed = (value: number, digits: number): string => value.toFixed(digits);
const whole = (value: number): string => Math.round(value).toLocaleString('en-US');

/** Rows in the order the tools ran, then one combined row per tool; failed runs are listed under the table. */
function orderedRows(runs: ToolRun[], tools: string[]): { row: ToolRun; combined: boolean }[] {
  const rows = runs.filter((row) => row.failure === undefined).map((row) => ({ row, combined: false }));
  for (const tool of tools) {
    const combined = combineRuns(
      tool,
      runs.filter((run) => run.tool === tool),
    );
    if (combined) rows.push({ row: combined, combined: true });
  }
  return rows;
}

/** The same-round run of `tool` (or all its rounds combined) to compare a row against. */
function reference(runs: ToolRun[], tool: string, row: ToolRun, combined: boolean): ToolRun | undefined {
  const same = runs.find((run) => run.tool === tool && run.round === row.round && run.failure === undefined);
  return combined || !same
    ? combineRuns(
        tool,
        runs.filter((run) => run.tool === tool),
      )
    : same;
}

export interface RatioLine {
  tool: string;
  ratio: number;
}

/** A table of requests per CPU µs, each row compared with `referenceTool` by `ratioOf`. */
function requestTable(
  title: string,
  runs: ToolRun[],
  tools: string[],
  referenceTool: string,
  ratioOf: (row: ToolRun, base: ToolRun) => number,
  verdict: (line: RatioLine) => string,
): { text: string; ratios: RatioLine[] } {
  const header = ['tool', 'round', 'req/s', 'generator CPU s', 'CPU µs/request', 'ratio', 'errors'];
  const ratios: RatioLine[] = [];
  const rows = orderedRows(runs, tools).map(({ row, combined }) => {
    const round = combined ? 'all' : String(row.round);
    const base = reference(runs, referenceTool, row, combined);
    const ratio = base ? ratioOf(row, base) : Number.NaN;
    if (combined && row.tool.startsWith('sockcap')) ratios.push({ tool: row.tool, ratio });
    return [row.tool, round, whole(perSecond(row)), fixed(row.cpuS, 2), fixed(cpuMicrosPerItem(row), 2), fixed(ratio, 2), whole(row.errors)];
  });
  const lines = [title, formatTable(header, rows), ...failures(runs), ...ratios.map(verdict), ...baselineLine(runs, 'request')];
  return { text: lines.join('\n'), ratios };
}

export function httpTable(result: HttpTargetResult, durationMs: number): { text: string; ratios: RatioLine[] } {
  return requestTable(
    `HTTP keep-alive, 50 connections, ${durationMs / 1000} s measured per run: ${result.target} at ${result.url}`,
    result.runs,
    result.tools,
    autocannonTool,
    (row, base) => cpuMicrosPerItem(base) / cpuMicrosPerItem(row),
    (line) =>
      `${line.tool}: autocannon µs/request ÷ sockcap µs/request = ${fixed(line.ratio, 2)} (target >= ${fixed(httpRatioTarget, 1)}: ${line.ratio >= httpRatioTarget ? 'met' : 'NOT met'})`,
  );
}

/** Target of the issue: sockcap's CPU per HTTP/2 request at most twice h2load's. */
export const h2RatioTarget = 2.0;

export function h2Table(result: H2BenchResult, durationMs: number): { text: string; ratios: RatioLine[] } {
  return requestTable(
    `HTTP/2 h2c, ${h2Connections} connections x ${h2Streams} streams, ${durationMs / 1000} s measured per run: nginx at ${result.url}`,
    result.runs,
    result.tools,
    h2loadTool,
    (row, base) => cpuMicrosPerItem(row) / cpuMicrosPerItem(base),
    (line) =>
      `${line.tool}: sockcap µs/request ÷ h2load µs/request = ${fixed(line.ratio, 2)} (target <= ${fixed(h2RatioTarget, 1)}: ${line.ratio <= h2RatioTarget ? 'met' : 'NOT met'})`,
  );
}

export function wsTable(result: WsBenchResult, durationMs: number): { text: string; ratios: RatioLine[] } {
  const header = ['tool', 'round', 'messages/s', 'generator CPU s', 'messages per CPU-second', 'ratio', 'errors'];
  const ratios: RatioLine[] = [];
  const rows = orderedRows(result.runs, result.tools).map(({ row, combined }) => {
    const round = combined ? 'all' : String(row.round);
    const base = reference(result.runs, bareTool, row, combined);
    const ratio = base ? itemsPerCpuSecond(row) / itemsPerCpuSecond(base) : Number.NaN;
    if (combined && row.tool.startsWith('sockcap') && row.tool !== sessionTool) ratios.push({ tool: row.tool, ratio });
    return [row.tool, round, whole(perSecond(row)), fixed(row.cpuS, 2), whole(itemsPerCpuSecond(row)), fixed(ratio, 2), whole(row.errors)];
  });
  const lines = [
    `WebSocket echo, 100 connections, 32-byte messages, ${durationMs / 1000} s measured per run: ws echo server at ${result.url}`,
    formatTable(header, rows),
    ...failures(result.runs),
    ...ratios.map(
      (line) =>
        `${line.tool}: sockcap messages per CPU-second ÷ bare loop's = ${fixed(line.ratio, 2)} (target >= ${fixed(wsRatioTarget, 1)}: ${line.ratio >= wsRatioTarget ? 'met' : 'NOT met'})`,
    ),
    ...sessionCostLine(result.runs),
    ...baselineLine(result.runs, 'message'),
  ];
  return { text: lines.join('\n'), ratios };
}

function failures(runs: ToolRun[]): string[] {
  return runs.filter((run) => run.failure !== undefined).map((run) => `round ${run.round}: ${run.failure} (left out of the table)`);
}

/** The figures of one run as they go into the JSON file. */
export function runFigures(run: ToolRun): ToolRun & { perSecond: number; cpuMicrosPerItem: number; itemsPerCpuSecond: number } {
  return { ...run, perSecond: perSecond(run), cpuMicrosPerItem: cpuMicrosPerItem(run), itemsPerCpuSecond: itemsPerCpuSecond(run) };
}

/** CPU per message of the session loop ÷ the plain echo's (sockcap --workers 1), all rounds summed. */
function sessionCostLine(runs: ToolRun[]): string[] {
  const session = combineRuns(
    sessionTool,
    runs.filter((run) => run.tool === sessionTool),
  );
  const echo = combineRuns(
    sockcapToolName(1),
    runs.filter((run) => run.tool === sockcapToolName(1)),
  );
  if (!session || !echo) return [];
  const cost = cpuMicrosPerItem(session) / cpuMicrosPerItem(echo);
  return [
    `${sessionTool}: CPU µs per message ÷ sockcap --workers 1 echo's = ${fixed(cost, 2)} (limit <= ${fixed(sessionCostLimit, 1)}: ${cost <= sessionCostLimit ? 'met' : 'NOT met'})`,
  ];
}

/**
 * This build's plain path against `--baseline`'s, both with one worker thread: CPU µs per
 * item of sockcap --workers 1 ÷ the baseline's, per round (run side by side) and all rounds.
 */
function baselineLine(runs: ToolRun[], item: string): string[] {
  const ok = runs.filter((run) => run.failure === undefined);
  const of = (tool: string, round?: number): ToolRun | undefined =>
    combineRuns(
      tool,
      ok.filter((run) => run.tool === tool && (round === undefined || run.round === round)),
    );
  const ratio = (round?: number): number | undefined => {
    const now = of(sockcapToolName(1), round);
    const before = of(baselineTool, round);
    return now && before ? cpuMicrosPerItem(now) / cpuMicrosPerItem(before) : undefined;
  };
  const all = ratio();
  if (all === undefined) return [];
  const rounds = [...new Set(ok.map((run) => run.round))]
    .sort((a, b) => a - b)
    .flatMap((round) => {
      const value = ratio(round);
      return value === undefined ? [] : [fixed(value, 2)];
    });
  return [`${sockcapToolName(1)}: CPU µs per ${item} ÷ the baseline build's = ${fixed(all, 2)} (all rounds; per round ${rounds.join(', ')})`];
}

/** Whole-process rows: done per CPU-second of each process's whole life, sockcap's ÷ the reference's. */
export function wholeTable(comparison: WholeComparison): { text: string; ratios: RatioLine[] } {
  const header = ['tool', 'round', 'done/s', 'whole-process CPU s', 'done per CPU-second', 'ratio', 'errors'];
  const ratios: RatioLine[] = [];
  const tools = [sockcapWholeTool, comparison.reference];
  const rows = orderedRows(comparison.runs, tools).map(({ row, combined }) => {
    const base = reference(comparison.runs, comparison.reference, row, combined);
    const ratio = base ? itemsPerCpuSecond(row) / itemsPerCpuSecond(base) : Number.NaN;
    if (combined && row.tool === sockcapWholeTool) ratios.push({ tool: row.tool, ratio });
    return [
      row.tool,
      combined ? 'all' : String(row.round),
      whole(perSecond(row)),
      fixed(row.cpuS, 2),
      whole(itemsPerCpuSecond(row)),
      fixed(ratio, 2),
      whole(row.errors),
    ];
  });
  const lines = [
    comparison.title,
    formatTable(header, rows),
    ...failures(comparison.runs),
    ...ratios.map(
      (line) =>
        `${line.tool}: done per whole-process CPU-second ÷ ${comparison.reference}'s = ${fixed(line.ratio, 2)} (target >= ${fixed(comparison.target, 1)}: ${line.ratio >= comparison.target ? 'met' : 'NOT met'})`,
    ),
  ];
  return { text: lines.join('\n'), ratios };
}
