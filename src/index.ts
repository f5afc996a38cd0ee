// The programmatic API: what the CLI itself uses.
export { run, merge, type RunApiOptions } from './api.js';
export { runScenario, type RunOptions } from './coordinator/run.js';
export { loadScenario } from './scenario/index.js';
export { startTarget, type RunningTarget, type TargetStats, type TargetOptions } from './target/server.js';
export { spawnTarget, type TargetProcess } from './target/spawn.js';
export { CsvFiles } from './outputs/csv-files.js';
export { CometCompare } from './outputs/comet-compare.js';
export { ConsoleOutput } from './outputs/console.js';
export { HistogramFiles } from './outputs/histogram-files.js';
export { RunJson } from './outputs/run-json.js';
export type { Output, RunResult, StepResult, IntervalRow } from './outputs/output.js';
export type { Scenario, ResolvedScenario, StepScenario } from './scenario/types.js';
export { SockcapError, ScenarioError, ExitCode } from './errors.js';
