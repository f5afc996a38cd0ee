// The whole process, as a user gets it: `sockcap run` with default settings (workers: auto,
// no warm-up, every sampler and output file), its CPU over its whole life from GNU time,
// against autocannon's own command line (HTTP keep-alive, nginx) and the bare ws client loop
// (WebSocket echo), each timed the same way. Per round the two alternate (ABBA).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { parse } from 'csv-parse/sync';
import type { BenchOptions } from './args.js';
import { httpConnections } from './http-bench.js';
import { startNginx } from './nginx.js';
import { describeFailure, lastJsonLine, onPath, startServer } from './processes.js';
import { inRoundOrder } from './round-order.js';
import { hasGnuTime, runTimed } from './timed.js';
import { failedRun, type ToolRun } from './tool-run.js';
import type { BareClientInput, BareClientOutput } from './ws-bare-client.js';
import { wsConnections, wsMessageSize } from './ws-bench.js';

export const sockcapWholeTool = 'sockcap run, defaults';
export const autocannonWholeTool = 'autocannon CLI';
export const bareWholeTool = 'bare ws client loop';
export const wholeCpuSource = 'every row: user + system time of the whole process from /usr/bin/time (start-up, coordinator, samplers, files included)';

const cliPath = fileURLToPath(new URL('../../src/bin.js', import.meta.url));
const bareClientPath = fileURLToPath(new URL('./ws-bare-client.js', import.meta.url));
const serverPath = fileURLToPath(new URL('./ws-echo-server.js', import.meta.url));
const autocannonCli = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

export interface WholeComparison {
  title: string;
  url: string;
  runs: ToolRun[];
  /** The row every sockcap row is divided by, and the ratio the issue asks of sockcap. */
  reference: string;
  target: number;
}

export interface WholeBenchResult {
  comparisons: WholeComparison[];
  skipped: string[];
}

export async function runWholeBench(options: BenchOptions, outDir: string, log: (line: string) => void): Promise<WholeBenchResult> {
  if (!hasGnuTime()) return { comparisons: [], skipped: ['whole-process rows: /usr/bin/time not installed (apt-get install time)'] };
  const comparisons: WholeComparison[] = [];
  const skipped: string[] = [];
  const seconds = Math.max(1, Math.round(options.durationMs / 1000));
  const note = (runs: ToolRun[], run: ToolRun): void => {
    runs.push(run);
    log(`  round ${run.round} ${run.tool} (whole process): ${run.failure ?? `${run.count} done, ${run.cpuS.toFixed(2)} CPU s`}`);
  };

  if (await onPath('nginx')) {
    const nginx = await startNginx();
    try {
      const url = new URL(nginx.url).href;
      log(`whole process, HTTP: nginx at ${url}`);
      const runs: ToolRun[] = [];
      for (let round = 1; round <= options.rounds; round++) {
        const order = [
          () => runSockcapWhole('http', url, httpConnections, seconds, round, outDir),
          () => runAutocannonWhole(url, httpConnections, seconds, round),
        ];
        for (const run of inRoundOrder(order, round)) note(runs, await run());
      }
      comparisons.push({
        title: `HTTP keep-alive, ${httpConnections} connections, ${seconds} s, whole process: nginx (1 worker) at ${url}`,
        url,
        runs,
        reference: autocannonWholeTool,
        target: 1.2,
      });
    } finally {
      await nginx.stop();
    }
  } else {
    skipped.push('whole-process HTTP rows: nginx not installed (apt-get install nginx-light)');
  }

  const server = await startServer('ws echo server', process.execPath, [serverPath], /listening on (http:\/\/\S+)/);
  try {
    const url = new URL(server.url.replace(/^http/, 'ws')).href;
    log(`whole process, WebSocket: ws echo server at ${url}`);
    const runs: ToolRun[] = [];
    for (let round = 1; round <= options.rounds; round++) {
      const order = [() => runSockcapWhole('websocket', url, wsConnections, seconds, round, outDir), () => runBareWhole(url, seconds, round)];
      for (const run of inRoundOrder(order, round)) note(runs, await run());
    }
    comparisons.push({
      title: `WebSocket echo, ${wsConnections} connections, ${wsMessageSize}-byte messages, ${seconds} s, whole process: ws echo server at ${url}`,
      url,
      runs,
      reference: bareWholeTool,
      target: 0.9,
    });
  } finally {
    await server.stop();
  }
  return { comparisons, skipped };
}

/** `sockcap run` on a scenario that names only the target, the protocol, the connections and the duration. */
async function runSockcapWhole(
  protocol: 'http' | 'websocket',
  url: string,
  connections: number,
  seconds: number,
  round: number,
  outDir: string,
): Promise<ToolRun> {
  const runId = `whole-${protocol}-r${round}`;
  const scenarioPath = path.join(outDir, `${runId}.json`);
  writeFileSync(scenarioPath, JSON.stringify({ name: `whole-${protocol}`, target: url, protocol, connections, duration: `${seconds}s` }, null, 2));
  const { result, cpuS } = await runTimed(process.execPath, [cliPath, 'run', scenarioPath, '--out', outDir, '--run-id', runId], seconds * 1000 + 60_000);
  if (result.code !== 0 || cpuS === undefined) return failedRun(sockcapWholeTool, round, describeFailure(sockcapWholeTool, result));
  const [row] = parse(readFileSync(path.join(outDir, runId, 'summary.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
  if (!row) return failedRun(sockcapWholeTool, round, `${sockcapWholeTool} wrote an empty summary.csv`);
  return {
    tool: sockcapWholeTool,
    round,
    count: Number(protocol === 'http' ? row['requests'] : row['messages']),
    seconds: Number(row['duration_s']),
    cpuS,
    lifetimeCpuS: cpuS,
    errors: Number(row['errors']),
  };
}

interface AutocannonJson {
  requests: { total: number };
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
}

/** autocannon's command line with its defaults, as its users run it, printing JSON. */
async function runAutocannonWhole(url: string, connections: number, seconds: number, round: number): Promise<ToolRun> {
  const { result, cpuS } = await runTimed(
    process.execPath,
    [autocannonCli, '-c', String(connections), '-d', String(seconds), '--json', url],
    seconds * 1000 + 60_000,
  );
  const output = result.code === 0 ? lastJsonLine<AutocannonJson>(result.stdout) : undefined;
  if (!output || cpuS === undefined) return failedRun(autocannonWholeTool, round, describeFailure(autocannonWholeTool, result));
  return {
    tool: autocannonWholeTool,
    round,
    count: output.requests.total,
    seconds: output.duration,
    cpuS,
    lifetimeCpuS: cpuS,
    errors: output.errors + output.timeouts + output.non2xx,
  };
}

/** The bare loop without a warm-up: it counts from the moment its connections are open. */
async function runBareWhole(url: string, seconds: number, round: number): Promise<ToolRun> {
  const input: BareClientInput = { url, connections: wsConnections, durationMs: seconds * 1000, warmupMs: 0, messageSize: wsMessageSize };
  const { result, cpuS } = await runTimed(process.execPath, [bareClientPath, JSON.stringify(input)], seconds * 1000 + 60_000);
  const output = result.code === 0 ? lastJsonLine<BareClientOutput>(result.stdout) : undefined;
  if (!output || cpuS === undefined) return failedRun(bareWholeTool, round, describeFailure(bareWholeTool, result));
  return { tool: bareWholeTool, round, count: output.messages, seconds: output.durationS, cpuS, lifetimeCpuS: cpuS, errors: output.errors };
}
