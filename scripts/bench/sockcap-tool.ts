// Runs the compiled sockcap CLI as its own process with a generated one-step scenario and
// reads its figures from summary.csv: requests or messages, the measured duration, and
// client_cpu_pct, the generator process's CPU (coordinator and worker threads) sampled by
// sockcap itself at the end of the warm-up and at the end of the step.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { describeFailure, runChild } from './processes.js';
import { failedRun, type ToolRun } from './tool-run.js';

const cliPath = fileURLToPath(new URL('../../src/bin.js', import.meta.url));

export interface SockcapRunOptions {
  protocol: 'http' | 'websocket';
  /** The scenario's `http` section, when not the defaults (HTTP/2). */
  http?: Record<string, unknown>;
  target: string;
  connections: number;
  durationMs: number;
  warmupMs: number;
  workers: number;
  round: number;
  /** Folder that receives the scenario file and sockcap's results folder. */
  outDir: string;
  runId: string;
  /** The `websocket` section of the scenario (a session), and the name the run goes by then. */
  websocket?: Record<string, unknown>;
  tool?: string;
  /** bin.js of another build to run instead of this one (`--baseline`). */
  cli?: string;
}

/** 1 compares with single-threaded autocannon and the bare loop; 2 is the default here (one per core). */
export const sockcapWorkerCounts = [1, 2];

export const sockcapCpuSource = 'sockcap summary.csv: client_cpu_pct x duration_s / 100 (measured window, after warm-up)';

export function sockcapToolName(workers: number): string {
  return `sockcap --workers ${workers}`;
}

/** The row of `--baseline`'s build: the plain path (echo, HTTP), one worker thread. */
export const baselineTool = 'baseline build --workers 1';

export async function runSockcap(options: SockcapRunOptions): Promise<ToolRun> {
  const tool = options.tool ?? sockcapToolName(options.workers);
  const scenarioPath = path.join(options.outDir, `${options.runId}.json`);
  const scenario = {
    name: `bench-${options.protocol}`,
    target: options.target,
    protocol: options.protocol,
    connections: options.connections,
    duration: `${options.durationMs}ms`,
    warmup: `${options.warmupMs}ms`,
    workers: options.workers,
    ...(options.http ? { http: options.http } : {}),
    ...(options.websocket ? { websocket: options.websocket } : {}),
  };
  writeFileSync(scenarioPath, JSON.stringify(scenario, null, 2));
  const timeoutMs = options.durationMs + options.warmupMs + 30_000;
  const args = [options.cli ?? cliPath, 'run', scenarioPath, '--out', options.outDir, '--run-id', options.runId, '--quiet'];
  const result = await runChild(process.execPath, args, timeoutMs);
  if (result.code !== 0) return failedRun(tool, options.round, describeFailure(tool, result));

  const csv = readFileSync(path.join(options.outDir, options.runId, 'summary.csv'), 'utf8');
  const [row] = parse(csv, { columns: true }) as Record<string, string>[];
  if (!row) return failedRun(tool, options.round, `${tool} wrote an empty summary.csv`);
  const seconds = Number(row['duration_s']);
  const count = Number(options.protocol === 'http' ? row['requests'] : row['messages']);
  return {
    tool,
    round: options.round,
    count,
    seconds,
    cpuS: (Number(row['client_cpu_pct']) * seconds) / 100,
    lifetimeCpuS: result.lifetimeCpuMs / 1000,
    errors: Number(row['errors']),
  };
}
