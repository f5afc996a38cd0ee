// What `sockcap sweep --resume <dir>` needs from an interrupted sweep's folder: the sweep as
// run.json recorded it (its raw scenario already holds one step per combination, so the plan
// comes back identical) and the combinations that finished, whose results are replayed into
// every file while only the others run.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError, errorMessage } from '../errors.js';
import type { ServerTimeout } from '../outputs/keepalive-columns.js';
import type { StepResult } from '../results/run-result.js';
import { readResults } from '../results/read-results.js';
import { isMapping, type RawMapping } from '../scenario/raw.js';
import { redactedText } from '../scenario/url-credentials.js';
import { goalNames, type GoalName } from './goal.js';
import { replan, type SweepPlan } from './plan.js';
import type { Dimension } from './vary.js';

/** What run.json keeps under `sweep`. */
export interface SweepAnnotation {
  dimensions: Dimension[];
  goal: GoalName;
  /** An external target's idle timeout, probed or given with --server-timeout. */
  serverTimeout: ServerTimeout | undefined;
}

export interface StoredSweep {
  runId: string;
  plan: SweepPlan;
  annotation: SweepAnnotation;
  finished: StepResult[];
}

interface SweepRunJson {
  source?: string;
  scenario?: { name?: string };
  raw?: RawMapping;
  sweep?: Partial<SweepAnnotation>;
}

export function readSweep(dir: string): StoredSweep {
  const file = join(dir, 'run.json');
  if (!existsSync(file))
    throw new UsageError(`--resume ${dir}: no run.json there (give the folder a sweep wrote, like results/20250101-120000-keepalive-sweep)`);
  let document: SweepRunJson;
  try {
    document = JSON.parse(readFileSync(file, 'utf8')) as SweepRunJson;
  } catch (error) {
    throw new UsageError(`--resume ${file}: cannot be read as JSON (${errorMessage(error)})`);
  }
  const sweep = document.sweep;
  if (!sweep || !Array.isArray(sweep.dimensions) || !isMapping(document.raw)) {
    throw new UsageError(`--resume ${dir}: not a sweep's results folder (its run.json has no sweep section); rerun the sweep instead`);
  }
  // run.json never holds secrets (scenario/secrets.ts): resuming would send the placeholder.
  if (JSON.stringify(document.raw).includes(redactedText)) {
    throw new UsageError(
      `--resume ${dir}: the sweep used secrets (credential headers or a URL password), which run.json does not keep; rerun the sweep instead`,
    );
  }
  const annotation: SweepAnnotation = {
    dimensions: sweep.dimensions,
    goal: goalNames.find((name) => name === sweep.goal) ?? 'lowest-p99',
    serverTimeout: sweep.serverTimeout,
  };
  const plan = replan(document.raw, document.source ?? file, document.scenario?.name ?? 'sweep', annotation.dimensions);
  const stored = readResults(dir);
  // Interrupted combinations run again; each one's measured result is kept as it was.
  const finished = stored.steps.filter((step) => !step.interrupted && step.step.stepIndex < plan.combos.length);
  return { runId: stored.runId, plan, annotation, finished };
}
