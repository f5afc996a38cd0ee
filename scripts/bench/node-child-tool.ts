// One run of a load generator written as a Node script (autocannon, the bare ws and
// node:http2 loops): it takes its input as JSON, measures itself and prints one JSON line.
import { describeFailure, lastJsonLine, runChild } from './processes.js';
import { failedRun, type ToolRun } from './tool-run.js';

/** What every such script prints, beside the count it names its own way. */
export interface ChildFigures {
  durationS: number;
  cpuMs: number;
  errors: number;
}

export async function runNodeChildTool<Output extends ChildFigures>(
  tool: string,
  script: string,
  input: { durationMs: number; warmupMs: number },
  round: number,
  count: (output: Output) => number,
): Promise<ToolRun> {
  const result = await runChild(process.execPath, [script, JSON.stringify(input)], input.durationMs + input.warmupMs + 30_000);
  const output = result.code === 0 ? lastJsonLine<Output>(result.stdout) : undefined;
  if (!output) return failedRun(tool, round, describeFailure(tool, result));
  return {
    tool,
    round,
    count: count(output),
    seconds: output.durationS,
    cpuS: output.cpuMs / 1000,
    lifetimeCpuS: result.lifetimeCpuMs / 1000,
    errors: output.errors,
  };
}
