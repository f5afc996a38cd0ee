// `npm run bench:compare`: does `sockcap compare` cry wolf, and does it catch a real slowdown?
// Against nginx on one port: N pairs of identical back-to-back runs, each pair compared at
// the default settings (no regression expected), then N pairs whose second run goes through
// the same nginx URL proxied to an upstream that answers 30 ms late (a regression expected
// every time). Prints the counts and the per-pair p50 change and noise, and saves them to
// results/bench-compare-<timestamp>.json.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { freePort, startNginx } from './nginx.js';
import { stopChildrenOnSignal } from './processes.js';

const bin = fileURLToPath(new URL('../../src/bin.js', import.meta.url));
const pairs = Number(process.env.PAIRS ?? 10);
const delayMs = 30;
/** The reproduction: 20 connections, 4 s, one worker thread. */
const load = ['-c', '20', '-d', '4s', '-w', '1'];

function sockcap(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function run(url: string, out: string): Promise<string> {
  const result = await sockcap(['run', '--target', url, ...load, '--quiet', '--out', out]);
  if (result.code !== 0) throw new Error(`sockcap run exited ${result.code}: ${result.stderr}`);
  return path.join(out, readdirSync(out)[0]!);
}

interface PairResult {
  exit: number | null;
  regressions: string[];
  p50: { baseline: number; current: number; noise: string; verdict: string };
}

async function compare(baseline: string, current: string): Promise<PairResult> {
  const result = await sockcap(['compare', baseline, current]);
  const rows = parse(readFileSync(path.join(current, 'compare.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
  const p50 = rows.find((row) => row.metric === 'latency.p50')!;
  return {
    exit: result.code,
    regressions: rows.filter((row) => row.verdict === 'regression').map((row) => row.metric!),
    p50: { baseline: Number(p50.baseline), current: Number(p50.current), noise: p50.noise ?? '', verdict: p50.verdict ?? '' },
  };
}

async function main(): Promise<void> {
  stopChildrenOnSignal();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sockcap-bench-compare-'));
  const upstream = http.createServer((_req, res) => setTimeout(() => res.end('x'.repeat(64)), delayMs));
  const upstreamPort = await freePort();
  await new Promise<void>((resolve) => upstream.listen(upstreamPort, '127.0.0.1', resolve));
  const port = await freePort();
  const identical: PairResult[] = [];
  const delayed: PairResult[] = [];
  try {
    for (let i = 0; i < pairs; i++) {
      const nginx = await startNginx({ port });
      try {
        const a = await run(nginx.url, path.join(dir, `same-${i}-a`));
        const b = await run(nginx.url, path.join(dir, `same-${i}-b`));
        identical.push(await compare(a, b));
      } finally {
        await nginx.stop();
      }
      console.error(`identical pair ${i + 1}/${pairs}: exit ${identical.at(-1)!.exit}, regressions: ${identical.at(-1)!.regressions.join(', ') || 'none'}`);
    }
    for (let i = 0; i < pairs; i++) {
      const direct = await startNginx({ port });
      let a: string;
      try {
        a = await run(direct.url, path.join(dir, `delay-${i}-a`));
      } finally {
        await direct.stop();
      }
      const slowed = await startNginx({ port, root: `proxy_pass http://127.0.0.1:${upstreamPort};` });
      try {
        const b = await run(slowed.url, path.join(dir, `delay-${i}-b`));
        delayed.push(await compare(a, b));
      } finally {
        await slowed.stop();
      }
      console.error(`30 ms pair ${i + 1}/${pairs}: exit ${delayed.at(-1)!.exit}, regressions: ${delayed.at(-1)!.regressions.join(', ') || 'none'}`);
    }
  } finally {
    upstream.close();
  }
  const flagged = (results: PairResult[]): number => results.filter((result) => result.exit === 1).length;
  const summary = {
    when: new Date().toISOString(),
    machine: { cpus: os.availableParallelism(), load: os.loadavg().map((n) => Number(n.toFixed(2))) },
    load: ['sockcap', 'run', '--target', 'http://127.0.0.1:<nginx>/', ...load],
    identicalPairs: { pairs, flagged: flagged(identical), results: identical },
    delayedPairs: { pairs, delayMs, flagged: flagged(delayed), results: delayed },
  };
  console.log(`identical pairs flagged as a regression: ${summary.identicalPairs.flagged} of ${pairs}`);
  console.log(`pairs with a ${delayMs} ms delay flagged: ${summary.delayedPairs.flagged} of ${pairs}`);
  for (const [name, results] of [
    ['identical', identical],
    ['30 ms', delayed],
  ] as const) {
    for (const result of results)
      console.log(`${name}: p50 ${result.p50.baseline} → ${result.p50.current} ms, noise ${result.p50.noise}, ${result.p50.verdict}`);
  }
  mkdirSync('results', { recursive: true });
  const file = path.join('results', `bench-compare-${summary.when.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
  console.log(`saved ${file}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
