// Cross-check (not a test): sockcap and wrk against the same nginx, with the same
// connections, side by side. Both run a closed loop here (Debian's wrk has no fixed rate),
// so their latency distributions should agree; a large gap means one of them measures
// itself. Then sockcap alone at a fixed rate of half its own closed-loop throughput, where
// latency must fall to the service time.
//
//   npm run crosscheck -- [--duration 10s] [--connections 50]
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { startNginx } from '../bench/nginx.js';
import { lastJsonLine, onPath, runChild, stopChildrenOnSignal } from '../bench/processes.js';

interface Distribution {
  tool: string;
  requests: number;
  perSecond: number;
  p50: number;
  p75: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const bin = path.join(root, 'dist/src/bin.js');
const luaScript = path.join(root, 'scripts/crosscheck/wrk-latency.lua');

function flag(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1] ? process.argv[index + 1]! : fallback;
}

async function wrk(url: string, connections: number, seconds: number): Promise<Distribution> {
  const result = await runChild('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '-s', luaScript, url], seconds * 1000 + 30_000);
  const line = lastJsonLine<Record<string, number>>(result.stdout);
  if (!line) throw new Error(`wrk printed no distribution: ${result.stdout}${result.stderr}`);
  const ms = (us: number | undefined): number => (us ?? 0) / 1000;
  return {
    tool: `wrk -t1 -c${connections}`,
    requests: line.requests ?? 0,
    perSecond: (line.requests ?? 0) / (line.seconds ?? seconds),
    p50: ms(line.p50),
    p75: ms(line.p75),
    p90: ms(line.p90),
    p99: ms(line.p99),
    p999: ms(line['p99.9']),
    max: ms(line.max),
  };
}

async function sockcap(url: string, connections: number, seconds: number, sets: string[], label: string): Promise<Distribution> {
  const out = mkdtempSync(path.join(os.tmpdir(), 'sockcap-crosscheck-'));
  try {
    const args = [bin, 'run', '--target', url, '-c', String(connections), '-d', `${seconds}s`, '-w', '1', '--out', out, '-q'];
    for (const set of sets) args.push('--set', set);
    const result = await runChild(process.execPath, args, seconds * 1000 + 60_000);
    if (result.code !== 0) throw new Error(`sockcap failed: ${result.stderr}`);
    const dir = path.join(out, readdirSync(out)[0]!);
    const [row] = parse(readFileSync(path.join(dir, 'summary.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    const latency = parse(readFileSync(path.join(dir, 'latency.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    const at = (percentile: number): number => {
      const rows = latency.filter((r) => r.metric === 'latency');
      return Number(rows.find((r) => Number(r.percentile) >= percentile)?.value_ms ?? rows.at(-1)?.value_ms ?? 0);
    };
    return {
      tool: label,
      requests: Number(row!.requests),
      perSecond: Number(row!.throughput_per_s),
      p50: Number(row!.latency_p50_ms),
      p75: at(75),
      p90: Number(row!.latency_p90_ms),
      p99: Number(row!.latency_p99_ms),
      p999: Number(row!.latency_p999_ms),
      max: Number(row!.latency_max_ms),
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function table(rows: Distribution[]): string {
  const header = ['tool', 'requests', 'req/s', 'p50 ms', 'p75 ms', 'p90 ms', 'p99 ms', 'p99.9 ms', 'max ms'];
  const cells = rows.map((r) => [r.tool, String(r.requests), r.perSecond.toFixed(0), ...[r.p50, r.p75, r.p90, r.p99, r.p999, r.max].map((v) => v.toFixed(3))]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  return [header, ...cells].map((line) => line.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')).join('\n');
}

async function main(): Promise<void> {
  stopChildrenOnSignal();
  const seconds = Number.parseInt(flag('duration', '10s'), 10);
  const connections = Number(flag('connections', '50'));
  for (const tool of ['nginx', 'wrk']) {
    if (!(await onPath(tool))) {
      console.error(`crosscheck: ${tool} is not installed (apt-get install ${tool === 'nginx' ? 'nginx-light' : 'wrk'})`);
      process.exitCode = 2;
      return;
    }
  }
  const nginx = await startNginx();
  try {
    console.log(`target: nginx at ${nginx.url}, ${connections} connections, ${seconds} s each, one generator thread each`);
    const closedWrk = await wrk(nginx.url, connections, seconds);
    const closedSockcap = await sockcap(nginx.url, connections, seconds, [], `sockcap closed -c${connections}`);
    // Half of what one sockcap thread managed closed-loop: well inside what it can send on time.
    const rate = Math.max(1, Math.round(closedSockcap.perSecond / 2));
    const open = await sockcap(nginx.url, connections, seconds, ['workload=arrival-rate', `rate=${rate}/s`], `sockcap ${rate}/s`);
    console.log(table([closedWrk, closedSockcap, open]));
    console.log(
      `closed loop, sockcap vs wrk: p50 ${(closedSockcap.p50 / closedWrk.p50).toFixed(2)}x, p99 ${(closedSockcap.p99 / closedWrk.p99).toFixed(2)}x, ` +
        `throughput ${(closedSockcap.perSecond / closedWrk.perSecond).toFixed(2)}x`,
    );
  } finally {
    await nginx.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`crosscheck: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
