// `--set path=value` changes one field of the raw scenario before validation, so a flag and a
// line in the file go through the same rules and produce the same messages.

import { parse } from 'yaml';
import { ScenarioError } from '../errors.js';
import { formatPath, isMapping, own, setOwn, showValue, type PathSegment, type RawMapping } from './raw.js';

const usage = 'expected path=value, like http.keepAlive=false';

/**
 * Sets `path` in `raw` to `value` read as a YAML scalar (`false`, `200`, `30s`), creating
 * missing mappings on the way. Returns the path as validation messages write it, so the
 * caller can blame problems in it on --set rather than on the file.
 */
export function applySet(raw: RawMapping, assignment: string): string {
  const equals = assignment.indexOf('=');
  const path = equals > 0 ? parsePath(assignment.slice(0, equals).trim()) : undefined;
  if (path === undefined) throw new ScenarioError('--set', assignment, usage);
  const value = parseScalar(assignment.slice(equals + 1));
  const fail = (expected: string): never => {
    throw new ScenarioError('--set', assignment, expected);
  };

  // Each container matches the segment addressing it (a list for `[n]`, a mapping for a name):
  // the root is a mapping, parsePath starts with a name, and the check at the end of the loop
  // only descends into the kind of container the next segment needs.
  let node: RawMapping | unknown[] = raw;
  for (const [i, segment] of path.entries()) {
    const isLast = i === path.length - 1;
    let child: unknown;
    if (Array.isArray(node)) {
      const index = Number(segment);
      const list = formatPath(path.slice(0, i));
      if (index >= node.length) fail(`expected the index of an existing item of ${list} (it has ${node.length}), got ${index}`);
      if (isLast) node[index] = value;
      else child = node[index];
    } else {
      const key = String(segment);
      if (isLast) setOwn(node, key, value);
      else {
        child = own(node, key);
        if (child === undefined && typeof path[i + 1] === 'string') {
          child = {};
          setOwn(node, key, child);
        }
      }
    }
    if (isLast) break;
    const wantsList = typeof path[i + 1] === 'number';
    if (wantsList && Array.isArray(child)) node = child;
    else if (!wantsList && isMapping(child)) node = child;
    else fail(`expected ${formatPath(path.slice(0, i + 1))} to be a ${wantsList ? 'list' : 'mapping'}, got ${showValue(child)}`);
  }
  return formatPath(path);
}

/** `http.headers.x-api-key` or `steps[0].connections` as segments; undefined when malformed. */
function parsePath(text: string): PathSegment[] | undefined {
  const path: PathSegment[] = [];
  const pathToken = /(\.?)([^.[\]]+)|\[(\d+)\]/y;
  while (pathToken.lastIndex < text.length) {
    const match = pathToken.exec(text);
    if (match === null) return undefined;
    const [, dot, name, index] = match;
    if (name === undefined) path.push(Number(index));
    else if ((dot === '.') === path.length > 0) path.push(name);
    else return undefined;
  }
  return typeof path[0] === 'string' ? path : undefined;
}

/**
 * A YAML scalar: `false` is a boolean, `200` a number, `"30s"` a string. Text that YAML would
 * read as a collection or a comment stays as typed, so `{"id":1}` is a JSON body and `#1` a tag.
 */
function parseScalar(text: string): unknown {
  let value: unknown;
  try {
    value = parse(text, { logLevel: 'error' });
  } catch {
    return text;
  }
  if (typeof value === 'object' && value !== null) return text;
  if (value === null && !/^\s*(?:~|null|Null|NULL)?\s*$/.test(text)) return text;
  return value;
}
