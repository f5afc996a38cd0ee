// Runs autocannon-child.js as its own process and turns its JSON line into a ToolRun.
import { fileURLToPath } from 'node:url';
import type { AutocannonChildInput, AutocannonChildOutput } from './autocannon-child.js';
import { describeFailure, lastJsonLine, runChild } from './processes.js';
import { failedRun, type ToolRun } from './tool-run.js';

const childPath = fileURLToPath(new URL('./autocannon-child.js', import.meta.url));

export const autocannonTool = 'autocannon';
export const autocannonCpuSource = 'autocannon child: process.cpuUsage() around the measured run, after a warm-up run of its own';

export async function runAutocannon(input: AutocannonChildInput, round: number): Promise<ToolRun> {
  const timeoutMs = input.durationMs + input.warmupMs + 30_000;
  const result = await runChild(process.execPath, [childPath, JSON.stringify(input)], timeoutMs);
  const output = result.code === 0 ? lastJsonLine<AutocannonChildOutput>(result.stdout) : undefined;
  if (!output) return failedRun(autocannonTool, round, describeFailure(autocannonTool, result));
  return {
    tool: autocannonTool,
    round,
    count: output.requests,
    seconds: output.durationS,
    cpuS: output.cpuMs / 1000,
    lifetimeCpuS: result.lifetimeCpuMs / 1000,
    errors: output.errors,
  };
}
