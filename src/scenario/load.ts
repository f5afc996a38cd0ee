// Reads a scenario file (or the packaged quickstart), applies --set, and validates it. Every
// failure is one ScenarioError line that names the file the way the user typed it.

import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { isScalar, LineCounter, parseDocument, visit, type Document } from 'yaml';
import { ScenarioError, errorMessage } from '../errors.js';
import { applySet } from './overrides.js';
import { packageRoot } from './paths.js';
import { isMapping, showValue, type RawMapping } from './raw.js';
import type { ScenarioRule } from './rules.js';
import type { ResolvedScenario } from './types.js';
import { validateScenario } from './validate.js';

export interface LoadOptions {
  /** `path=value` assignments from --set, applied in order before validation. */
  set?: readonly string[];
  /** The protocols' own rules (src/protocols/ supplies them: the scenario sits below the protocols). */
  protocolRules: ScenarioRule;
  /** The flag a user typed for a --set path (`duration` → `-d/--duration`), so a problem names it. */
  flags?: Readonly<Record<string, string>>;
  /** No file: the scenario is the flags alone, one step on the defaults (`sockcap run --target URL`). */
  commandLine?: boolean;
}

const builtInSource = '(built-in quickstart)';
const commandLineSource = '(command line)';
const extensions = ['.yaml', '.yml', '.json'];

/** The scenario in `file`, or the packaged quickstart when `file` is undefined. */
export async function loadScenario(file: string | undefined, options: LoadOptions): Promise<ResolvedScenario> {
  if (file === undefined && options.commandLine) {
    const raw: RawMapping = {};
    const overridden = (options.set ?? []).map((assignment) => applySet(raw, assignment));
    return validateScenario(raw, {
      where: commandLineSource,
      name: 'command-line',
      overridden,
      protocolRules: options.protocolRules,
      flags: options.flags ?? {},
    });
  }
  const where = file ?? builtInSource;
  const filePath = file ?? path.join(packageRoot(), 'scenarios', 'quickstart.yaml');
  const extension = path.extname(filePath).toLowerCase();
  if (!extensions.includes(extension)) {
    throw new ScenarioError(where, '', 'expected a scenario file ending in .yaml, .yml or .json');
  }
  const raw = parseScenarioText(await readText(filePath, where), where, extension === '.json' ? 'JSON' : 'YAML');
  const overridden = (options.set ?? []).map((assignment) => applySet(raw, assignment));
  return validateScenario(raw, {
    where,
    name: path.basename(filePath, path.extname(filePath)),
    overridden,
    protocolRules: options.protocolRules,
    flags: options.flags ?? {},
  });
}

/**
 * Far above any scenario written by hand (per-connection data belongs in a data file), and
 * small enough to parse in a moment: a 33 MB file took minutes.
 */
export const largestScenarioFile = 1024 * 1024;

async function readText(filePath: string, where: string): Promise<string> {
  try {
    const { size } = await stat(filePath);
    if (size > largestScenarioFile) {
      throw new ScenarioError(where, '', `is ${(size / 2 ** 20).toFixed(1)} MiB; a scenario file is at most 1 MiB (put per-connection values in a data file)`);
    }
    return await readFile(filePath, 'utf8');
  } catch (err) {
    if (err instanceof ScenarioError) throw err;
    throw new ScenarioError(where, '', readProblem(err));
  }
}

function readProblem(err: unknown): string {
  switch (err instanceof Error && 'code' in err ? err.code : undefined) {
    case 'ENOENT':
      return 'file not found (give a path to a .yaml or .json scenario, or run `sockcap run` with no argument for the quickstart)';
    case 'EISDIR':
      return 'is a directory (give a path to a .yaml or .json scenario file)';
    case 'EACCES':
      return 'cannot be read: permission denied';
    default:
      return `cannot be read: ${errorMessage(err)}`;
  }
}

/** The offset of the first key that repeats one before it in its mapping, if any. */
function firstDuplicateKey(doc: Document): number | undefined {
  let found: number | undefined;
  visit(doc, {
    Map(_key, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        if (seen.has(key)) {
          found = isScalar(pair.key) ? (pair.key.range?.[0] ?? 0) : 0;
          return visit.BREAK;
        }
        seen.add(key);
      }
      return undefined;
    },
  });
  return found;
}

// YAML 1.2 reads JSON too, so one parser serves both; `syntax` only names the format in messages.
function parseScenarioText(text: string, where: string, syntax: 'YAML' | 'JSON'): RawMapping {
  // The parser's own duplicate-key check compares every key with every other (40,000
  // headers took 50 s); keysOnce does the same in one pass.
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: false, lineCounter });
  const duplicate = doc.errors.length === 0 ? firstDuplicateKey(doc) : undefined;
  if (duplicate !== undefined) {
    const { line, col } = lineCounter.linePos(duplicate);
    throw new ScenarioError(where, '', `${syntax} syntax error at line ${line}, column ${col}: Map keys must be unique`);
  }
  const [error] = doc.errors;
  if (error) {
    const position = error.linePos ? ` at line ${error.linePos[0].line}, column ${error.linePos[0].col}` : '';
    // The parser's message repeats the position, quotes the source over several lines, and for
    // a second document advises a library call: keep the reason, in the user's terms.
    const reason =
      error.code === 'MULTIPLE_DOCS'
        ? 'expected one document, found another after ---'
        : error.message.replace(/ at line \d+, column \d+:[\s\S]*$/, '').split('\n')[0];
    throw new ScenarioError(where, '', `${syntax} syntax error${position}: ${reason}`);
  }
  let value: unknown;
  try {
    value = doc.toJS();
  } catch (err) {
    // Aliases can still fail here (an alias bomb past the parser's limit).
    throw new ScenarioError(where, '', `${syntax} error: ${errorMessage(err).split('\n')[0]}`);
  }
  if (!isMapping(value)) {
    const got = value === null || value === undefined ? 'an empty document' : showValue(value);
    throw new ScenarioError(where, '', `expected a mapping of scenario fields (like duration: 10s) at the top level, got ${got}`);
  }
  return value;
}
