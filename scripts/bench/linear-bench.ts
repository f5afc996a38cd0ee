// Does what a connection costs stay the same as connections grow? Two sockcap runs against
// the built-in target, each a ladder over the same counts (1,000, 10,000, 100,000): idle
// WebSockets held (memory per connection, and CPU per connection-second of holding them)
// and a WebSocket echo at one fixed total message rate spread over all the connections
// (CPU per message). A per-interval scan of every connection or a timer per connection
// shows as a per-unit cost that grows with the count.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { formatTable } from '../../src/outputs/table.js';
import type { BenchOptions } from './args.js';
import { describeFailure, runChild } from './processes.js';

const cliPath = fileURLToPath(new URL('../../src/bin.js', import.meta.url));

export const linearCounts = [1000, 10_000, 100_000];
/** The echo's total message rate, whatever the count: only the connections change. */
export const linearMessageRate = 2000;

export interface LinearRow {
  connections: number;
  /** capacity.csv of the hold ladder. */
  clientKibPerConn: number | undefined;
  /** Generator CPU of the measured hold, ms per connection per second held. */
  holdCpuMsPerConnSecond: number | undefined;
  /** Generator CPU per echoed message at the fixed rate, µs. */
  cpuMicrosPerMessage: number | undefined;
  messages: number | undefined;
  errors: number;
}

export interface LinearBenchResult {
  rows: LinearRow[];
  /** Runs that broke (a crash, a signal, a timeout): the bench failed. */
  failures: string[];
  /** Runs whose verdict failed (exit 1): a result, said under the table beside the rows they measured. */
  verdicts: string[];
}

/** New connections per second while a rung opens; its warm-up gives them time to all be open. */
const connectRate = 2500;

/** Rungs: each opens at `connectRate` during a warm-up a quarter longer than opening needs, plus 3 s. */
function ladder(counts: number[]): Record<string, unknown>[] {
  return counts.map((count) => ({ name: `${count / 1000}k`, connections: count, warmup: `${Math.ceil((count / connectRate) * 1.25) + 3}s` }));
}

export interface LadderRun {
  /** The results folder, when the run wrote one (whatever its exit). */
  dir: string | undefined;
  /** Why the run broke, when it did. */
  failure: string | undefined;
  /** The verdict that failed, when the run exited 1. */
  verdict: string | undefined;
}

/**
 * Runs one ladder with sockcap. Exit 1 is a verdict (a threshold or the default verdict
 * failed), not a crash: its rungs were measured, and their rows are kept. Any run that wrote
 * a summary keeps the rows it wrote (a run that broke keeps those measured before it did).
 */
export async function runLadder(name: string, scenario: Record<string, unknown>, outDir: string): Promise<LadderRun> {
  const scenarioPath = path.join(outDir, `${name}.json`);
  writeFileSync(scenarioPath, JSON.stringify(scenario, null, 2));
  const result = await runChild(process.execPath, [cliPath, 'run', scenarioPath, '--out', outDir, '--run-id', name, '--quiet'], 30 * 60_000);
  const dir = path.join(outDir, name);
  const said = result.stderr.trim().split('\n').at(-1);
  const verdict = result.code === 1 ? `sockcap ${name} exited 1, its verdict failed (rows kept)${said ? `: ${said}` : ''}` : undefined;
  return {
    dir: existsSync(path.join(dir, 'summary.csv')) ? dir : undefined,
    failure: result.code === 0 || verdict ? undefined : describeFailure(`sockcap ${name}`, result),
    verdict,
  };
}

export async function runLinearBench(options: BenchOptions, outDir: string, log: (line: string) => void): Promise<LinearBenchResult> {
  const counts = linearCounts.filter((count) => count <= options.maxConnections);
  const seconds = Math.max(2, Math.round(options.durationMs / 1000));
  const common = {
    protocol: 'websocket',
    connectRate: `${connectRate}/s`,
    duration: `${seconds}s`,
    interval: '1s',
    workers: 1,
    processes: 'auto',
    server: { processes: 'auto' },
    verdict: { maxErrorRate: 'off' },
  };
  const failures: string[] = [];
  const verdicts: string[] = [];
  const run = async (name: string, scenario: Record<string, unknown>): Promise<string | undefined> => {
    log(`linearity: ${name}, ${counts.map((count) => count.toLocaleString('en-US')).join(' / ')} connections`);
    const ran = await runLadder(name, scenario, outDir);
    if (ran.failure) failures.push(ran.failure);
    if (ran.verdict) verdicts.push(ran.verdict);
    return ran.dir;
  };

  const holdDir = await run('linear-hold', {
    name: 'linear-hold',
    ...common,
    workload: 'hold',
    websocket: { pingInterval: '0s' },
    steps: ladder(counts),
  });
  const echoDir = await run('linear-echo', {
    name: 'linear-echo',
    ...common,
    workload: 'arrival-rate',
    rate: `${linearMessageRate}/s`,
    steps: ladder(counts),
  });
  const holdCapacity = holdDir ? csvRows(holdDir, 'capacity.csv') : [];
  const holdSummary = holdDir ? csvRows(holdDir, 'summary.csv') : [];
  const echoSummary = echoDir ? csvRows(echoDir, 'summary.csv') : [];
  const rows = counts.map((connections): LinearRow => {
    const capacity = holdCapacity.find((row) => Number(row['connections']) === connections);
    const hold = holdSummary.find((row) => Number(row['connections']) === connections);
    const echo = echoSummary.find((row) => Number(row['connections']) === connections);
    const cpuSeconds = (row: Record<string, string> | undefined): number | undefined =>
      row && row['client_cpu_pct'] !== '' ? (Number(row['client_cpu_pct']) * Number(row['duration_s'])) / 100 : undefined;
    const holdCpu = cpuSeconds(hold);
    const echoCpu = cpuSeconds(echo);
    const messages = echo ? Number(echo['messages']) : undefined;
    return {
      connections,
      clientKibPerConn: capacity && capacity['client_kib_per_conn'] !== '' ? Number(capacity['client_kib_per_conn']) : undefined,
      holdCpuMsPerConnSecond: holdCpu !== undefined && hold ? (holdCpu * 1000) / connections / Number(hold['duration_s']) : undefined,
      cpuMicrosPerMessage: echoCpu !== undefined && messages ? (echoCpu * 1e6) / messages : undefined,
      messages,
      errors: Number(hold?.['errors'] ?? 0) + Number(echo?.['errors'] ?? 0),
    };
  });
  return { rows, failures, verdicts };
}

/** The rows of a results folder's `file`; none when the run ended before writing it. */
function csvRows(dir: string, file: string): Record<string, string>[] {
  if (!existsSync(path.join(dir, file))) return [];
  return parse(readFileSync(path.join(dir, file), 'utf8'), { columns: true }) as Record<string, string>[];
}

export function linearTable(result: LinearBenchResult, durationMs: number): string {
  const blank = (value: number | undefined, digits: number): string => (value === undefined ? '' : value.toFixed(digits));
  const header = [
    'connections',
    'client KiB/conn (hold)',
    'hold CPU ms per conn-s',
    `CPU µs/message (echo, ${linearMessageRate}/s total)`,
    'messages',
    'errors',
  ];
  const rows = result.rows.map((row) => [
    row.connections.toLocaleString('en-US'),
    blank(row.clientKibPerConn, 2),
    blank(row.holdCpuMsPerConnSecond, 4),
    blank(row.cpuMicrosPerMessage, 1),
    row.messages === undefined ? '' : row.messages.toLocaleString('en-US'),
    row.errors.toLocaleString('en-US'),
  ]);
  return [
    `Linearity: the built-in target, WebSocket, ${Math.max(2, Math.round(durationMs / 1000))} s measured per rung (memory: capacity.csv of a hold; CPU: the generator processes over the measured part)`,
    formatTable(header, rows),
    ...result.verdicts,
    ...result.failures,
  ].join('\n');
}
