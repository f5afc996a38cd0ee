// Which settings differ between a baseline step and the current one: a comparison of
// `connections: 50` against `connections: 100` is a different question, and the reader
// should be told so next to the verdicts.
import { redactedNames } from '../scenario/secrets.js';
import { redactedText } from '../scenario/url-credentials.js';
import type { StepScenario } from '../scenario/types.js';

/** Fields that name or gate a step rather than shape the load it sends. */
const ignored: ReadonlySet<string> = new Set(['stepIndex', 'stepLabel', 'name', 'thresholds']);
const shown = 6;

export function scenarioDifferences(baseline: StepScenario, current: StepScenario): string[] {
  // A changed credential is said to have changed, never shown.
  const secret = new Set([...redactedNames(baseline), ...redactedNames(current)]);
  const before = flatten(baseline);
  const after = flatten(current);
  const keys = [...new Set([...before.keys(), ...after.keys()])].filter((key) => !ignored.has(key.split('.')[0]!)).sort();
  const differences = keys
    .filter((key) => before.get(key) !== after.get(key))
    .map((key) => `${key} ${display(key, before, secret)} → ${display(key, after, secret)}`);
  return differences.length > shown ? [...differences.slice(0, shown), `and ${differences.length - shown} more`] : differences;
}

function flatten(value: unknown, prefix = '', into = new Map<string, string>()): Map<string, string> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const [key, item] of Object.entries(value)) flatten(item, prefix ? `${prefix}.${key}` : key, into);
  } else if (value !== undefined) {
    into.set(prefix, JSON.stringify(value));
  }
  return into;
}

function display(key: string, values: Map<string, string>, secret: Set<string>): string {
  const value = values.get(key);
  if (value === undefined) return '(unset)';
  const header = /(?:^|\.)headers\.([^.]+)$/.exec(key)?.[1];
  return header !== undefined && secret.has(header.toLowerCase()) ? redactedText : value;
}
