// A sweep is an ordinary scenario whose steps are generated: one step per combination of the
// --vary values, each validated by the scenario rules as if the user had written it under
// `steps:`. Running it is then a normal run, with every usual file plus sweep.csv.
import { ScenarioError, UsageError } from '../errors.js';
import { own, type RawMapping } from '../scenario/raw.js';
import type { ResolvedScenario } from '../scenario/types.js';
import { validateScenario } from '../scenario/validate.js';
import { protocolRules } from '../protocols/scenario-rules.js';
import { combinationLabel, combinations, stepOverrides, type Dimension } from './vary.js';

export interface SweepPlan {
  dimensions: Dimension[];
  /** Values per combination, in step order (combination i is step i). */
  combos: string[][];
  scenario: ResolvedScenario;
}

/** Fields only the built-in target has: an external server's settings are not sockcap's to change. */
const serverOnly = /^server(\.|$)/;

export function planSweep(loaded: ResolvedScenario, dimensions: Dimension[]): SweepPlan {
  if (dimensions.length === 0) throw new UsageError('sweep: give at least one --vary path=value,value (see sockcap sweep --help)');
  if (own(loaded.raw, 'steps') !== undefined) {
    throw new UsageError(`${loaded.source}: steps: a sweep makes its steps from --vary; remove steps, or run the file with sockcap run`);
  }
  const external = loaded.base.target;
  const serverDimension = dimensions.find((dimension) => serverOnly.test(dimension.path));
  if (external !== undefined && serverDimension) {
    throw new UsageError(
      `--vary ${serverDimension.path}: the target ${external} is not sockcap's to reconfigure; sweep only client-side fields (http.*, thinkTime, connections), or drop target to sweep the built-in one`,
    );
  }
  const combos = combinations(dimensions);
  const steps = combos.map((values) => ({ name: combinationLabel(dimensions, values), ...stepOverrides(dimensions, values) }));
  const options = { where: loaded.source, name: loaded.base.name, protocolRules };
  // Alone first, so a bad combination is named by its values rather than by a generated steps[i].
  steps.forEach((step) => {
    try {
      validateScenario({ ...loaded.raw, steps: [step] }, options);
    } catch (error) {
      if (!(error instanceof ScenarioError)) throw error;
      const field = error.field.replace(/^steps\[0\]\.?/, '');
      const problem = error.message.slice(`${error.where}: ${error.field ? `${error.field}: ` : ''}`.length);
      throw new UsageError(`--vary (${step.name}): ${field ? `${field}: ` : ''}${problem}`);
    }
  });
  const raw: RawMapping = { ...loaded.raw, steps };
  return { dimensions, combos, scenario: validateScenario(raw, options) };
}

/** The same plan again from what run.json recorded: its raw scenario already holds the generated steps. */
export function replan(raw: RawMapping, source: string, name: string, dimensions: Dimension[]): SweepPlan {
  return { dimensions, combos: combinations(dimensions), scenario: validateScenario(raw, { where: source, name, protocolRules }) };
}
