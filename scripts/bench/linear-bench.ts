// Does what a connection costs stay the same as connections grow? Two sockcap runs against
// the built-in target, each a ladder over the same counts (1,000, 10,000, 100,000): idle
// WebSockets held (memory per connection, and CPU per connection-second of holding them)
// and a WebSocket echo at one fixed total message rate spread over all the connections
// (CPU per message). A per-interval scan of every connection or a timer per connection
// shows as a per-unit cost that grows with the count.
import { readFileSync, writeFileSync } from 'node:fs';
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
  failures: string[];
}

/** Rungs: the counts up to `maxConnections`; each opens at `connectRate` during a warm-up long enough for it. */
function ladder(counts: number[], extra: (count: number) => Record<string, unknown>): Record<string, unknown>[] {
  return counts.map((count) => ({ name: `${count / 1000}k`, connections: count, warmup: `${Math.ceil(count / 1000) + 4}s`, ...extra(count) }));
}

export async function runLinearBench(options: BenchOptions, outDir: string, log: (line: string) => void): Promise<LinearBenchResult> {
  const counts = linearCounts.filter((count) => count <= options.maxConnections);
  const seconds = Math.max(2, Math.round(options.durationMs / 1000));
  const common = {
    protocol: 'websocket',
    connectRate: '2500/s',
    duration: `${seconds}s`,
    interval: '1s',
    workers: 1,
    processes: 'auto',
    server: { processes: 'auto' },
    verdict: { maxErrorRate: 'off' },
  };
  const failures: string[] = [];
  const run = async (name: string, scenario: Record<string, unknown>): Promise<string | undefined> => {
    const scenarioPath = path.join(outDir, `${name}.json`);
    writeFileSync(scenarioPath, JSON.stringify(scenario, null, 2));
    log(`linearity: ${name}, ${counts.map((count) => count.toLocaleString('en-US')).join(' / ')} connections`);
    const result = await runChild(process.execPath, [cliPath, 'run', scenarioPath, '--out', outDir, '--run-id', name, '--quiet'], 30 * 60_000);
    if (result.code !== 0) {
      failures.push(describeFailure(`sockcap ${name}`, result));
      return undefined;
    }
    return path.join(outDir, name);
  };

  const holdDir = await run('linear-hold', {
    name: 'linear-hold',
    ...common,
    workload: 'hold',
    websocket: { pingInterval: '0s' },
    steps: ladder(counts, () => ({})),
  });
  const echoDir = await run('linear-echo', {
    name: 'linear-echo',
    ...common,
    workload: 'arrival-rate',
    rate: `${linearMessageRate}/s`,
    steps: ladder(counts, () => ({})),
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
  return { rows, failures };
}

function csvRows(dir: string, file: string): Record<string, string>[] {
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
    ...result.failures,
  ].join('\n');
}
