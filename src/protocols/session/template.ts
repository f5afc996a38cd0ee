// Compiles a session's `{{…}}` templates once into functions that only read variables and
// concatenate: nothing is parsed per message. A JSON message compiles into fixed text with
// holes, and remembers the values it last put in each hole (a correlated reply is matched
// on the value that was sent, `{{uuid}}` and `{{random}}` included).
import { randomUUID } from 'node:crypto';
import { isMapping } from '../../scenario/raw.js';
import { parseTemplate, type TemplatePart } from '../../scenario/template.js';
import type { SessionVars } from './vars.js';

export type Value = (vars: SessionVars) => unknown;
export type Text = (vars: SessionVars) => string;

function partValue(part: TemplatePart): Value {
  switch (part.kind) {
    case 'text': {
      const { text } = part;
      return () => text;
    }
    case 'data': {
      const { column } = part;
      return (vars) => vars.row[column] ?? '';
    }
    case 'capture': {
      const { name } = part;
      return (vars) => vars.captures.get(name) ?? '';
    }
    case 'connection':
      return (vars) => vars.connection;
    case 'seq':
      return (vars) => vars.seq;
    case 'now':
      return () => Date.now();
    case 'uuid':
      return () => randomUUID();
    case 'random': {
      const { min, max } = part;
      return () => min + Math.floor(Math.random() * (max - min + 1));
    }
  }
}

const textOf = (value: unknown): string =>
  typeof value === 'string' ? value : typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);

/** A template as text. */
export function compileText(template: string): Text {
  const values = parseTemplate(template).map(partValue);
  if (values.length === 0) return () => '';
  if (values.length === 1) {
    const [only] = values as [Value];
    return (vars) => textOf(only(vars));
  }
  return (vars) => {
    let text = '';
    for (const value of values) text += textOf(value(vars));
    return text;
  };
}

/** A template as a value: one variable alone keeps its type (`"{{seq}}"` is a number), anything else is text. */
export function compileValue(template: string): Value {
  const parts = parseTemplate(template);
  if (parts.length === 1 && parts[0]!.kind !== 'text') return partValue(parts[0]!);
  return compileText(template);
}

export interface JsonMessage {
  render(vars: SessionVars): string;
  /** What the last render put at `path` (dotted), or undefined when nothing is there. */
  sentAt(path: string): () => unknown;
}

/** A JSON value with templated strings, as fixed text with holes. */
export function compileJson(json: unknown): JsonMessage {
  const chunks: (string | number)[] = [];
  const holes: Value[] = [];
  const fixed = new Map<string, unknown>();
  const holeAt = new Map<string, number>();
  let text = '';
  const flush = (): void => {
    if (text !== '') chunks.push(text);
    text = '';
  };
  const walk = (value: unknown, path: string): void => {
    if (typeof value === 'string' && value.includes('{{')) {
      flush();
      holeAt.set(path, holes.length);
      chunks.push(holes.length);
      holes.push(compileValue(value));
    } else if (Array.isArray(value)) {
      text += '[';
      value.forEach((item, i) => {
        if (i > 0) text += ',';
        walk(item, `${path}.${i}`);
      });
      text += ']';
    } else if (isMapping(value)) {
      text += '{';
      Object.entries(value).forEach(([key, item], i) => {
        text += `${i > 0 ? ',' : ''}${JSON.stringify(key)}:`;
        walk(item, path === '' ? key : `${path}.${key}`);
      });
      text += '}';
    } else {
      fixed.set(path, value);
      text += JSON.stringify(value);
    }
  };
  walk(json, '');
  flush();
  const last: unknown[] = new Array(holes.length);
  return {
    render(vars) {
      let out = '';
      for (const chunk of chunks) {
        if (typeof chunk === 'string') out += chunk;
        else out += JSON.stringify((last[chunk] = holes[chunk]!(vars)) ?? null);
      }
      return out;
    },
    sentAt(path) {
      const hole = holeAt.get(path);
      if (hole !== undefined) return () => last[hole];
      const value = fixed.get(path);
      return () => value;
    },
  };
}
