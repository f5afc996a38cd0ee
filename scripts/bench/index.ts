// `npm run bench`: generator CPU per request of sockcap next to autocannon and wrk (HTTP
// keep-alive) and next to h2load (HTTP/2 h2c against nginx), and per message next to a bare
// ws client loop (WebSocket echo). The numbers
// are printed and saved to results/bench-<timestamp>.json, never asserted: they depend on
// the machine and on whatever else shares its CPU.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BenchUsageError, parseBenchArgs, usage, type BenchOptions } from './args.js';
import { runHttpBench, type HttpBenchResult } from './http-bench.js';
import { stopChildrenOnSignal } from './processes.js';
import { h2Table, httpTable, runFigures, wholeTable, wsTable } from './report.js';
import { runH2Bench, type H2BenchResult } from './h2-bench.js';
import type { ToolRun } from './tool-run.js';
import { runWsBench, type WsBenchResult } from './ws-bench.js';
import { runWholeBench, wholeCpuSource, type WholeBenchResult } from './whole-bench.js';
import { linearTable, runLinearBench } from './linear-bench.js';

function timestamp(date: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}-${pad(date.getHours())}${pad(date.getMinutes())}${pad(date.getSeconds())}`;
}

const log = (line: string): void => console.error(line);

function printHttp(result: HttpBenchResult, options: BenchOptions): unknown {
  const tables = result.targets.map((target) => httpTable(target, options.durationMs));
  console.log('');
  for (const table of tables) console.log(`${table.text}\n`);
  for (const line of result.skipped) console.log(line);
  console.log('ratio: autocannon CPU µs/request ÷ this row\'s (same round; "all" rows: all rounds summed); >= 1.0 means cheaper than autocannon');
  console.log('How generator CPU is measured:');
  for (const source of result.cpuSources) console.log(`  ${source}`);
  return {
    targets: result.targets.map((target, index) => ({
      target: target.target,
      url: target.url,
      runs: target.runs.map(runFigures),
      ratios: tables[index]!.ratios,
    })),
    skipped: result.skipped,
    cpuSources: result.cpuSources,
  };
}

function printH2(result: H2BenchResult, options: BenchOptions): unknown {
  const table = h2Table(result, options.durationMs);
  console.log(`\n${table.text}\n`);
  console.log('ratio: this row\'s CPU µs/request ÷ h2load\'s (same round; "all" rows: all rounds summed); <= 2.0 is the target');
  console.log('How generator CPU is measured:');
  for (const source of result.cpuSources) console.log(`  ${source}`);
  return { url: result.url, runs: result.runs.map(runFigures), ratios: table.ratios, cpuSources: result.cpuSources };
}

function printWs(result: WsBenchResult, options: BenchOptions): unknown {
  const table = wsTable(result, options.durationMs);
  console.log(`\n${table.text}\n`);
  console.log('ratio: this row\'s messages per CPU-second ÷ the bare loop\'s (same round; "all" rows: all rounds summed)');
  console.log('How generator CPU is measured:');
  for (const source of result.cpuSources) console.log(`  ${source}`);
  return { url: result.url, runs: result.runs.map(runFigures), ratios: table.ratios, cpuSources: result.cpuSources };
}

function printWhole(result: WholeBenchResult): unknown {
  const tables = result.comparisons.map(wholeTable);
  for (const table of tables) console.log(`\n${table.text}`);
  for (const line of result.skipped) console.log(line);
  console.log('\nratio: this row\'s done per CPU-second ÷ the reference tool\'s (same round; "all" rows: all rounds summed)');
  console.log(`How CPU is measured:\n  ${wholeCpuSource}`);
  return {
    comparisons: result.comparisons.map((comparison, index) => ({ ...comparison, runs: comparison.runs.map(runFigures), ratios: tables[index]!.ratios })),
    skipped: result.skipped,
    cpuSource: wholeCpuSource,
  };
}

async function main(): Promise<number> {
  let options: BenchOptions | 'help';
  try {
    options = parseBenchArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof BenchUsageError)) throw error;
    console.error(`${error.message}\n\n${usage}`);
    return 2;
  }
  if (options === 'help') {
    console.log(usage);
    return 0;
  }
  stopChildrenOnSignal();

  const startedAt = new Date();
  const name = `bench-${timestamp(startedAt)}`;
  // sockcap's own results folders (summary.csv, histograms) of every run, kept for a look.
  const runsDir = path.resolve('results', name);
  mkdirSync(runsDir, { recursive: true });
  log(
    `sockcap bench: ${options.durationMs / 1000} s measured per run after ${options.warmupMs / 1000} s warm-up, ${options.rounds} round(s); sockcap results in ${runsDir}`,
  );

  const report: Record<string, unknown> = {
    startedAt: startedAt.toISOString(),
    node: process.version,
    kernel: os.release(),
    cpus: os.availableParallelism(),
    loadAverageAtStart: os.loadavg(),
    options,
  };
  let failedRuns = 0;
  const countFailures = (runs: ToolRun[]): number => runs.filter((run) => run.failure !== undefined).length;
  if (options.only === undefined || options.only === 'http') {
    const http = await runHttpBench(options, runsDir, log);
    failedRuns += http.targets.reduce((sum, target) => sum + countFailures(target.runs), 0);
    report['http'] = printHttp(http, options);
  }
  if (options.only === undefined || options.only === 'h2') {
    const h2 = await runH2Bench(options, runsDir, log);
    failedRuns += countFailures(h2.runs);
    report['h2'] = printH2(h2, options);
  }
  if (options.only === undefined || options.only === 'ws') {
    const ws = await runWsBench(options, runsDir, log);
    failedRuns += countFailures(ws.runs);
    report['ws'] = printWs(ws, options);
  }
  if (options.only === undefined || options.only === 'whole') {
    const whole = await runWholeBench(options, runsDir, log);
    failedRuns += whole.comparisons.reduce((sum, comparison) => sum + countFailures(comparison.runs), 0);
    report['whole'] = printWhole(whole);
  }
  // The linearity ladder opens 100,000 connections: only when asked for by name.
  if (options.only === 'linear') {
    const linear = await runLinearBench(options, runsDir, log);
    failedRuns += linear.failures.length;
    console.log(`\n${linearTable(linear, options.durationMs)}`);
    report['linear'] = linear;
  }
  report['finishedAt'] = new Date().toISOString();
  report['loadAverageAtEnd'] = os.loadavg();
  // Other processes on the machine take CPU from the generators and add context switches
  // to their bill: say how busy it was, so noisy numbers can be recognised as such.
  const load = (values: number[]): string => values.map((value) => value.toFixed(2)).join(' ');
  console.log(
    `\nload average (1, 5, 15 min): ${load(report['loadAverageAtStart'] as number[])} at start, ${load(os.loadavg())} at end, on ${os.availableParallelism()} CPUs`,
  );

  const jsonPath = path.resolve('results', `${name}.json`);
  writeFileSync(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nnumbers written to ${path.relative(process.cwd(), jsonPath)}`);
  return failedRuns > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
