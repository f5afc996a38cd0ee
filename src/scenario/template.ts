// The `{{…}}` templates of sessions (messages, paths, headers, bodies): parsed here into parts,
// so validation can refuse an unknown variable before any load, and compiled once per
// connection in src/protocols/session/ into functions that only concatenate.

export type TemplatePart =
  | { kind: 'text'; text: string }
  | { kind: 'data'; column: string }
  | { kind: 'capture'; name: string }
  | { kind: 'connection' | 'seq' | 'now' | 'uuid' }
  | { kind: 'random'; min: number; max: number };

/** Variables every session has, whatever its data file and captures. */
export const builtInVariables = ['connection', 'seq', 'now', 'uuid', 'random A B'] as const;

export class TemplateError extends Error {}

const placeholder = /\{\{\s*([^{}]*?)\s*\}\}/g;
const captureName = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function hasTemplate(text: string): boolean {
  return text.includes('{{');
}

/** The parts of `text`; throws TemplateError naming the placeholder that cannot be read. */
export function parseTemplate(text: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let from = 0;
  for (const match of text.matchAll(placeholder)) {
    if (match.index > from) parts.push({ kind: 'text', text: text.slice(from, match.index) });
    parts.push(variablePart(match[1]!, match[0]));
    from = match.index + match[0].length;
  }
  if (from < text.length) parts.push({ kind: 'text', text: text.slice(from) });
  if (parts.some((part) => part.kind === 'text' && /\{\{|\}\}/.test(part.text)))
    throw new TemplateError('expected each {{ to close with }} around one variable, like {{data.token}}');
  return parts;
}

function variablePart(inside: string, written: string): TemplatePart {
  const words = inside.split(/\s+/);
  const [head] = words;
  if (head === 'random') {
    const [min, max] = words.slice(1).map(Number);
    if (words.length !== 3 || !Number.isSafeInteger(min) || !Number.isSafeInteger(max) || min! > max!) {
      throw new TemplateError(`expected {{random A B}} with whole numbers A <= B, like {{random 1 100}}, got ${written}`);
    }
    return { kind: 'random', min: min!, max: max! };
  }
  if (words.length !== 1 || !head) throw new TemplateError(`expected one variable name in ${written}, like {{data.token}} or {{seq}}`);
  if (head === 'connection' || head === 'seq' || head === 'now' || head === 'uuid') return { kind: head };
  if (head.startsWith('data.') && head.length > 5) return { kind: 'data', column: head.slice(5) };
  if (captureName.test(head)) return { kind: 'capture', name: head };
  throw new TemplateError(`expected a variable like {{data.token}}, {{seq}} or a captured name, got ${written}`);
}

/** What a session's templates may name: the data file's columns and the session's captures. */
export interface TemplateNames {
  columns: readonly string[];
  captures: readonly string[];
}

export function knownVariables(names: TemplateNames): string[] {
  return [...names.columns.map((column) => `data.${column}`), ...names.captures, ...builtInVariables];
}

/** The first variable of `parts` that names nothing, as written ({{data.tokn}}), or undefined. */
export function unknownVariable(parts: readonly TemplatePart[], names: TemplateNames): string | undefined {
  for (const part of parts) {
    if (part.kind === 'data' && !names.columns.includes(part.column)) return `{{data.${part.column}}}`;
    if (part.kind === 'capture' && !names.captures.includes(part.name)) return `{{${part.name}}}`;
  }
  return undefined;
}
