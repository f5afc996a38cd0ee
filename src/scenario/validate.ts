// Turns the raw object of a scenario file into the typed scenarios sockcap runs, or into one
// precise line about the first thing wrong: the field tables are in shapes.ts, the rules
// that tie fields together in rules.ts; here, steps are merged onto the base and each
// resolved step is checked as a whole.

import { ScenarioError } from '../errors.js';
import { defaults } from './defaults.js';
import { Invalid, nonEmptyText, parseMapping, reject } from './parsers.js';
import { formatPath, isMapping, own, showValue, type PathSegment, type RawMapping } from './raw.js';
import type { ResolvedScenario, Scenario, StepScenario } from './types.js';
import { baseShape, stepShape } from './shapes.js';
import { checkRules, type ScenarioRule } from './rules.js';
import { moveUrlCredentials } from './secrets.js';

// ---- steps ----

function resolveSteps(raw: RawMapping, base: Scenario, fallback: Scenario, protocolRules: ScenarioRule): StepScenario[] {
  const steps = own(raw, 'steps');
  // No steps, or an emptied list: the base is the one step, so the rules apply to it.
  if (steps === undefined || (Array.isArray(steps) && steps.length === 0)) {
    checkRules(base, raw, protocolRules);
    return [{ ...structuredClone(base), stepIndex: 0, stepLabel: 'main' }];
  }
  if (!Array.isArray(steps)) reject(['steps'], 'expected a list of steps, each a mapping of the fields it changes', steps);
  const baseRaw = Object.fromEntries(Object.entries(raw).filter(([key]) => key !== 'steps'));
  const names = new Set<string>();
  return steps.map((step, index) => resolveStep(step, index, baseRaw, fallback, names, protocolRules));
}

function resolveStep(step: unknown, index: number, baseRaw: RawMapping, fallback: Scenario, names: Set<string>, protocolRules: ScenarioRule): StepScenario {
  const at: PathSegment[] = ['steps', index];
  if (!isMapping(step)) reject(at, 'expected a mapping of the fields this step changes, like { connections: 200 }', step);
  const { name, ...overrides } = step;
  const stepLabel = name === undefined ? overrideLabel(overrides) || formatPath(at) : stepName(name, [...at, 'name'], names);
  // The base passed field by field already, so whatever fails now is this step's doing.
  try {
    const merged = mergeRaw(baseRaw, overrides);
    const scenario = parseMapping(merged, [], stepShape, fallback);
    checkRules(scenario, merged, protocolRules);
    return { ...scenario, stepIndex: index, stepLabel };
  } catch (err) {
    if (err instanceof Invalid) throw new Invalid([...at, ...err.path], err.problem);
    throw err;
  }
}

// Labels name rows in summary.csv; two steps with one name would be indistinguishable there.
function stepName(name: unknown, path: PathSegment[], used: Set<string>): string {
  const label = nonEmptyText(name, path);
  if (used.has(label)) reject(path, 'expected a name no other step uses', name);
  used.add(label);
  return label;
}

/** `http.keepAlive=false connections=200`: what the step changes, as --set would write it. */
function overrideLabel(overrides: RawMapping, prefix: PathSegment[] = []): string {
  return Object.entries(overrides)
    .map(([key, value]) =>
      isMapping(value) && Object.keys(value).length > 0
        ? overrideLabel(value, [...prefix, key])
        : `${formatPath([...prefix, key])}=${typeof value === 'string' ? value : showValue(value)}`,
    )
    .join(' ');
}

/** Mappings merge key by key; anything else in `over` (lists included) replaces. */
function mergeRaw(base: RawMapping, over: RawMapping): RawMapping {
  const keys = new Set([...Object.keys(base), ...Object.keys(over)]);
  return Object.fromEntries(
    [...keys].map((key) => {
      const kept = own(base, key);
      if (!Object.hasOwn(over, key)) return [key, kept];
      const given = over[key];
      return [key, isMapping(kept) && isMapping(given) ? mergeRaw(kept, given) : given];
    }),
  );
}

// ---- entry point ----

export interface ValidateOptions {
  /** What messages name as the source: the path as the user typed it. */
  where: string;
  /** The scenario's name when the file gives none (its basename). */
  name: string;
  /** Paths given with --set: problems at or under them are reported against `--set`. */
  overridden?: readonly string[];
  /** The protocols' own rules (src/protocols/ supplies them: the scenario sits below the protocols). */
  protocolRules: ScenarioRule;
  /** The flag typed for a path (`duration` → `-d/--duration`): its problems name that flag instead of --set. */
  flags?: Readonly<Record<string, string>>;
}

/**
 * The typed base scenario and its steps. Field rules apply to the base and to every step;
 * rules between fields apply to what runs (the steps), so a base that only becomes complete
 * in each step (`workload: arrival-rate` with a rate per step) is fine.
 */
export function validateScenario(raw: RawMapping, options: ValidateOptions): ResolvedScenario {
  try {
    const fallback: Scenario = { ...defaults, name: options.name };
    const base = parseMapping(raw, [], baseShape, fallback);
    const steps = resolveSteps(raw, base, fallback, options.protocolRules).map(moveUrlCredentials);
    return { source: options.where, base: moveUrlCredentials(base), steps, raw };
  } catch (err) {
    if (!(err instanceof Invalid)) throw err;
    const field = formatPath(err.path);
    const set = options.overridden?.findLast((path) => field === path || field.startsWith(`${path}.`) || field.startsWith(`${path}[`));
    if (set === undefined) throw new ScenarioError(options.where, field, err.problem);
    const flag = options.flags && Object.hasOwn(options.flags, set) ? options.flags[set] : undefined;
    // A shorthand flag is the field: `-d/--duration: expected …` says all there is to say.
    throw flag && field === set ? new ScenarioError(flag, '', err.problem) : new ScenarioError(flag ?? '--set', field, err.problem);
  }
}
