// `--vary path=v1,v2,…`: the dimensions of a sweep, and their combinations in a fixed order
// (the first dimension changes slowest), so a combination's position is the same on every
// run of the same flags: that position is its step index, which `--resume` relies on.
import { parse } from 'yaml';
import { ScenarioError, UsageError } from '../errors.js';
import { applySet } from '../scenario/overrides.js';
import { isMapping, own, setOwn, type RawMapping } from '../scenario/raw.js';

export interface Dimension {
  /** The scenario field as --set writes it: `server.keepAliveTimeout`. */
  path: string;
  /** The values as the user typed them: `1s`, `5s`. */
  values: string[];
}

const example = 'expected path=value,value,…, like server.keepAliveTimeout=1s,5s,15s';

export function parseVary(flags: readonly string[]): Dimension[] {
  const dimensions = flags.map((flag): Dimension => {
    const equals = flag.indexOf('=');
    const path = flag.slice(0, Math.max(0, equals)).trim();
    if (equals <= 0 || path === '') throw new UsageError(`--vary ${flag}: ${example}`);
    const values = splitValues(flag.slice(equals + 1));
    if (values.some((value) => value === '')) throw new UsageError(`--vary ${flag}: ${example} (no empty values)`);
    return { path, values };
  });
  const seen = new Set<string>();
  for (const { path } of dimensions) {
    if (seen.has(path)) throw new UsageError(`--vary ${path}: given twice; list all its values in one --vary`);
    seen.add(path);
  }
  return dimensions;
}

/** Commas inside {…} or […] belong to the value (`{ distribution: uniform, min: 1s, max: 2s }`). */
function splitValues(text: string): string[] {
  const values: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '{' || char === '[') depth++;
    if (char === '}' || char === ']') depth = Math.max(0, depth - 1);
    if (char === ',' && depth === 0) {
      values.push(current.trim());
      current = '';
    } else {
      current += char;
    }
  }
  values.push(current.trim());
  return values;
}

/** Every combination as one value per dimension, the first dimension changing slowest. */
export function combinations(dimensions: readonly Dimension[]): string[][] {
  return dimensions.reduce<string[][]>((partial, dimension) => partial.flatMap((prefix) => dimension.values.map((value) => [...prefix, value])), [[]]);
}

/**
 * The step a combination becomes: the fields it changes, as `steps:` in a scenario file holds
 * them. Values are read as --set reads them, except that a `{ … }` value is a mapping here
 * (`thinkTime={ distribution: uniform, min: 1s, max: 2s }`), since a sweep has no request
 * body to keep as text.
 */
export function stepOverrides(dimensions: readonly Dimension[], values: readonly string[]): RawMapping {
  const step: RawMapping = {};
  dimensions.forEach((dimension, i) => {
    const value = values[i]!;
    try {
      applySet(step, `${dimension.path}=${value}`);
      const mapping = flowMapping(value);
      if (mapping) setDotted(step, dimension.path, mapping);
    } catch (error) {
      if (error instanceof ScenarioError) throw new UsageError(`--vary ${dimension.path}=${value}: ${error.message.slice(error.where.length + 2)}`);
      throw error;
    }
  });
  return step;
}

function flowMapping(value: string): RawMapping | undefined {
  if (!value.trimStart().startsWith('{')) return undefined;
  try {
    const parsed: unknown = parse(value);
    return isMapping(parsed) ? parsed : undefined;
  } catch {
    throw new UsageError(`--vary: ${value}: expected a YAML mapping like { distribution: uniform, min: 1s, max: 2s }`);
  }
}

/** applySet has created every mapping on the way to `path` already. */
function setDotted(root: RawMapping, path: string, value: unknown): void {
  const names = path.split('.');
  let node = root;
  for (const name of names.slice(0, -1)) node = own(node, name) as RawMapping;
  setOwn(node, names.at(-1)!, value);
}

/** `server.keepAliveTimeout=1s thinkTime=1.5s`: how a combination is labelled in every file. */
export function combinationLabel(dimensions: readonly Dimension[], values: readonly string[]): string {
  return dimensions.map((dimension, i) => `${dimension.path}=${values[i]}`).join(' ');
}
