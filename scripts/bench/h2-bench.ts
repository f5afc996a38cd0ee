// HTTP/2 over h2c against nginx: sockcap (node:http2, one worker thread), the bare node:http2
// client loop (what any client built on node:http2 costs at least), the raw-frames loop (h2c
// spoken over net.Socket without node:http2: what a client written in JavaScript costs at
// least) and h2load (one thread), with the same connections and streams, one after the other
// in each round (reversed every other round), so background load hits them alike.
import { fileURLToPath } from 'node:url';
import type { BenchOptions } from './args.js';
import type { H2BareInput, H2BareOutput } from './h2-bare-client.js';
import { h2loadCpuSource, h2loadTool, runH2load } from './h2load-tool.js';
import { startNginx } from './nginx.js';
import { inRoundOrder } from './round-order.js';
import { runSockcap, sockcapCpuSource, sockcapToolName } from './sockcap-tool.js';
import type { ToolRun } from './tool-run.js';
import { runNodeChildTool } from './node-child-tool.js';

export const h2Connections = 4;
export const h2Streams = 16;
export const h2BareTool = 'bare node:http2 loop';
export const h2RawTool = 'raw h2c frames loop (no node:http2)';
const h2BareCpuSource = 'bare node:http2 loop and raw frames loop children: process.cpuUsage() around the measured window, after a warm-up';
const bareClientPath = fileURLToPath(new URL('./h2-bare-client.js', import.meta.url));
const rawClientPath = fileURLToPath(new URL('./h2-raw-client.js', import.meta.url));

export interface H2BenchResult {
  url: string;
  runs: ToolRun[];
  tools: string[];
  cpuSources: string[];
}

export async function runH2Bench(options: BenchOptions, outDir: string, log: (line: string) => void): Promise<H2BenchResult> {
  const nginx = await startNginx({ http2: 'h2c' });
  const runs: ToolRun[] = [];
  try {
    const url = nginx.url;
    log(`HTTP/2: nginx h2c at ${url}, ${h2Connections} connections x ${h2Streams} streams`);
    const sockcap = (round: number): Promise<ToolRun> =>
      runSockcap({
        protocol: 'http',
        http: { version: '2', streams: h2Streams },
        target: url,
        connections: h2Connections,
        durationMs: options.durationMs,
        warmupMs: options.warmupMs,
        workers: 1,
        round,
        outDir,
        runId: `h2-w1-r${round}`,
      });
    const h2load = (round: number): Promise<ToolRun> =>
      runH2load({ url, connections: h2Connections, streams: h2Streams, durationMs: options.durationMs, round });
    const input: H2BareInput = { url, connections: h2Connections, streams: h2Streams, durationMs: options.durationMs, warmupMs: options.warmupMs };
    const bare = (round: number): Promise<ToolRun> => runNodeChildTool<H2BareOutput>(h2BareTool, bareClientPath, input, round, requestsOf);
    const raw = (round: number): Promise<ToolRun> => runNodeChildTool<H2BareOutput>(h2RawTool, rawClientPath, input, round, requestsOf);
    for (let round = 1; round <= options.rounds; round++) {
      for (const run of inRoundOrder([() => sockcap(round), () => bare(round), () => raw(round), () => h2load(round)], round)) {
        const done = await run();
        runs.push(done);
        log(`  round ${done.round} ${done.tool}: ${done.failure ?? `${done.count} requests, ${done.cpuS.toFixed(2)} CPU s`}`);
      }
    }
    return {
      url,
      runs,
      tools: [sockcapToolName(1), h2BareTool, h2RawTool, h2loadTool],
      cpuSources: [sockcapCpuSource, h2BareCpuSource, h2loadCpuSource()],
    };
  } finally {
    await nginx.stop();
  }
}

function requestsOf(output: H2BareOutput): number {
  return output.requests;
}
