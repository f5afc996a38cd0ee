// WebSocket echo: 100 connections, 32-byte text messages, one in flight per connection,
// against a plain `ws` echo server in its own process. Per round: sockcap --workers 1, the
// bare ws client loop, the session loop, the --baseline build when given, sockcap --workers 2
// (reversed every other round).
import { fileURLToPath } from 'node:url';
import type { BenchOptions } from './args.js';
import { startServer } from './processes.js';
import { inRoundOrder } from './round-order.js';
import { baselineTool, runSockcap, sockcapCpuSource, sockcapToolName, sockcapWorkerCounts, type SockcapRunOptions } from './sockcap-tool.js';
import type { ToolRun } from './tool-run.js';
import { runNodeChildTool } from './node-child-tool.js';
import type { BareClientInput, BareClientOutput } from './ws-bare-client.js';

export const wsConnections = 100;
export const wsMessageSize = 32;
export const bareTool = 'bare ws client loop';
/** sockcap running a scripted session: each loop sends one JSON message and waits for the reply with its id. */
export const sessionTool = 'sockcap session loop --workers 1';
/** About 32 bytes on the wire, as the echo's messages: {"id":12345,"pad":"aaaaaaaaaa"}. */
const sessionLoop = {
  session: {
    loop: [{ send: { json: { id: '{{seq}}', pad: 'aaaaaaaaaa' } } }, { name: 'echo', expect: { reply: 'id' } }],
  },
};
export const bareCpuSource = 'bare loop child: process.cpuUsage() around the measured window, after a warm-up';

const serverPath = fileURLToPath(new URL('./ws-echo-server.js', import.meta.url));
const bareClientPath = fileURLToPath(new URL('./ws-bare-client.js', import.meta.url));

export interface WsBenchResult {
  url: string;
  runs: ToolRun[];
  tools: string[];
  cpuSources: string[];
}

export async function runWsBench(options: BenchOptions, outDir: string, log: (line: string) => void): Promise<WsBenchResult> {
  const server = await startServer('ws echo server', process.execPath, [serverPath], /listening on (http:\/\/\S+)/);
  try {
    const url = new URL(server.url.replace(/^http/, 'ws')).href;
    log(`WebSocket: ws echo server at ${url}`);
    const runs: ToolRun[] = [];
    const note = (run: ToolRun): void => {
      runs.push(run);
      log(`  round ${run.round} ${run.tool}: ${run.failure ?? `${run.count} messages, ${run.cpuS.toFixed(2)} CPU s`}`);
    };
    // Every sockcap row: the same echo load; the session loop and the baseline build differ in what runs it.
    const sockcap = (round: number, runId: string, extra: Partial<SockcapRunOptions> = {}): Promise<ToolRun> =>
      runSockcap({
        protocol: 'websocket',
        target: url,
        connections: wsConnections,
        durationMs: options.durationMs,
        warmupMs: options.warmupMs,
        workers: 1,
        round,
        outDir,
        runId: `${runId}-r${round}`,
        ...extra,
      });
    const { baselineCli } = options;
    const bare: BareClientInput = {
      url,
      connections: wsConnections,
      durationMs: options.durationMs,
      warmupMs: options.warmupMs,
      messageSize: wsMessageSize,
    };
    const [firstWorkers, ...otherWorkers] = sockcapWorkerCounts;
    for (let round = 1; round <= options.rounds; round++) {
      const order = [
        () => sockcap(round, `ws-w${firstWorkers!}`, { workers: firstWorkers! }),
        () => runBareClient(bare, round),
        () => sockcap(round, 'ws-session', { websocket: sessionLoop, tool: sessionTool }),
        ...(baselineCli ? [() => sockcap(round, 'ws-baseline', { cli: baselineCli, tool: baselineTool })] : []),
        ...otherWorkers.map((workers) => () => sockcap(round, `ws-w${workers}`, { workers })),
      ];
      for (const run of inRoundOrder(order, round)) note(await run());
    }
    return {
      url,
      runs,
      tools: [...sockcapWorkerCounts.map(sockcapToolName), sessionTool, ...(baselineCli ? [baselineTool] : []), bareTool],
      cpuSources: [sockcapCpuSource, bareCpuSource],
    };
  } finally {
    await server.stop();
  }
}

function runBareClient(input: BareClientInput, round: number): Promise<ToolRun> {
  return runNodeChildTool<BareClientOutput>(bareTool, bareClientPath, input, round, (output) => output.messages);
}
