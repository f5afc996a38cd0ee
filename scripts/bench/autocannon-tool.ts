// Runs autocannon-child.js as its own process and turns its JSON line into a ToolRun.
import { fileURLToPath } from 'node:url';
import type { AutocannonChildInput, AutocannonChildOutput } from './autocannon-child.js';
import type { ToolRun } from './tool-run.js';
import { runNodeChildTool } from './node-child-tool.js';

const childPath = fileURLToPath(new URL('./autocannon-child.js', import.meta.url));

export const autocannonTool = 'autocannon';
export const autocannonCpuSource = 'autocannon child: process.cpuUsage() around the measured run, after a warm-up run of its own';

export function runAutocannon(input: AutocannonChildInput, round: number): Promise<ToolRun> {
  return runNodeChildTool<AutocannonChildOutput>(autocannonTool, childPath, input, round, (output) => output.requests);
}
