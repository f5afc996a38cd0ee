// HTTP keep-alive: 50 connections against each target (the built-in one, then nginx when
// installed). Per round: sockcap --workers 1, autocannon, the --baseline build when given,
// sockcap --workers 2, one after
// the other against the same target process (reversed every other round), so background
// load hits them alike; wrk once at the end as the limit.
import { fileURLToPath } from 'node:url';
import type { BenchOptions } from './args.js';
import { autocannonCpuSource, autocannonTool, runAutocannon } from './autocannon-tool.js';
import { startNginx } from './nginx.js';
import { onPath, startServer, type ServerProcess } from './processes.js';
import { inRoundOrder } from './round-order.js';
import { baselineTool, runSockcap, sockcapCpuSource, sockcapToolName, sockcapWorkerCounts } from './sockcap-tool.js';
import type { ToolRun } from './tool-run.js';
import { runWrk, wrkCpuSource, wrkTool } from './wrk-tool.js';

export const httpConnections = 50;

const cliPath = fileURLToPath(new URL('../../src/bin.js', import.meta.url));

export interface HttpTargetResult {
  target: string;
  url: string;
  runs: ToolRun[];
  /** Tools in the order their rows are printed. */
  tools: string[];
}

export interface HttpBenchResult {
  targets: HttpTargetResult[];
  skipped: string[];
  cpuSources: string[];
}

export async function runHttpBench(options: BenchOptions, outDir: string, log: (line: string) => void): Promise<HttpBenchResult> {
  const hasWrk = await onPath('wrk');
  const hasNginx = await onPath('nginx');
  const skipped: string[] = [];
  if (!hasNginx) skipped.push('nginx: not installed (apt-get install nginx-light)');
  if (!hasWrk) skipped.push('wrk: not installed (apt-get install wrk)');

  const targets: { name: string; start: () => Promise<ServerProcess> }[] = [
    {
      name: 'built-in target (sockcap serve)',
      start: () => startServer('sockcap serve', process.execPath, [cliPath, 'serve', '--port', '0'], /listening on (http:\/\/\S+)/),
    },
  ];
  if (hasNginx) targets.push({ name: 'nginx (1 worker, 64-byte return)', start: startNginx });

  const results: HttpTargetResult[] = [];
  for (const [index, target] of targets.entries()) {
    const server = await target.start();
    try {
      const url = new URL(server.url).href;
      log(`HTTP: ${target.name} at ${url}`);
      results.push(await benchTarget(target.name, url, index, options, outDir, hasWrk, log));
    } finally {
      await server.stop();
    }
  }
  const cpuSources = [sockcapCpuSource, autocannonCpuSource, ...(hasWrk ? [wrkCpuSource()] : [])];
  return { targets: results, skipped, cpuSources };
}

async function benchTarget(
  name: string,
  url: string,
  targetIndex: number,
  options: BenchOptions,
  outDir: string,
  hasWrk: boolean,
  log: (line: string) => void,
): Promise<HttpTargetResult> {
  const runs: ToolRun[] = [];
  const note = (run: ToolRun): void => {
    runs.push(run);
    log(`  round ${run.round} ${run.tool}: ${run.failure ?? `${run.count} requests, ${run.cpuS.toFixed(2)} CPU s`}`);
  };
  const sockcap = (workers: number, round: number, cli?: string): Promise<ToolRun> =>
    runSockcap({
      protocol: 'http',
      target: url,
      connections: httpConnections,
      durationMs: options.durationMs,
      warmupMs: options.warmupMs,
      workers,
      round,
      outDir,
      runId: `http-${targetIndex + 1}-${cli ? 'baseline' : `w${workers}`}-r${round}`,
      ...(cli ? { cli, tool: baselineTool } : {}),
    });
  const { baselineCli } = options;
  const [firstWorkers, ...otherWorkers] = sockcapWorkerCounts;
  const autocannon = (round: number): Promise<ToolRun> =>
    runAutocannon({ url, connections: httpConnections, durationMs: options.durationMs, warmupMs: options.warmupMs }, round);
  for (let round = 1; round <= options.rounds; round++) {
    const order = [
      () => sockcap(firstWorkers!, round),
      () => autocannon(round),
      ...(baselineCli ? [() => sockcap(1, round, baselineCli)] : []),
      ...otherWorkers.map((workers) => () => sockcap(workers, round)),
    ];
    for (const run of inRoundOrder(order, round)) note(await run());
  }
  if (hasWrk) note(await runWrk(url, httpConnections, options.durationMs));
  const tools = [...sockcapWorkerCounts.map(sockcapToolName), ...(baselineCli ? [baselineTool] : []), autocannonTool, ...(hasWrk ? [wrkTool] : [])];
  return { target: name, url, runs, tools };
}
