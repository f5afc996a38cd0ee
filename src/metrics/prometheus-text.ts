// Reads the Prometheus text exposition format (version 0.0.4): what a target's /metrics
// and `sockcap agent` answer. Comments, HELP and TYPE lines are read or skipped; a sample
// line is a metric name, optional labels in braces, a value and an optional timestamp.
// Anything else is refused with the line it was found on: an endpoint that answers an HTML
// page or a truncated body must not be read as numbers.

export interface PrometheusSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface PrometheusFamily {
  /** From `# TYPE`: counter, gauge, histogram, summary or untyped. */
  type: string | undefined;
  samples: PrometheusSample[];
}

export class PrometheusTextError extends Error {
  constructor(line: number, reason: string) {
    super(`line ${line}: ${reason}`);
    this.name = 'PrometheusTextError';
  }
}

const metricName = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const types = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

/** Every sample of the text, grouped by metric name (a histogram's _bucket, _sum and _count are names of their own). */
export function parsePrometheusText(text: string): Map<string, PrometheusFamily> {
  const families = new Map<string, PrometheusFamily>();
  const family = (name: string): PrometheusFamily => {
    let found = families.get(name);
    if (!found) {
      found = { type: undefined, samples: [] };
      families.set(name, found);
    }
    return found;
  };
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!.replace(/\r$/, '').trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      const typeLine = /^#\s*TYPE\s+(\S+)\s+(\S+)\s*$/.exec(line);
      if (typeLine) {
        if (!metricName.test(typeLine[1]!) || !types.has(typeLine[2]!)) throw new PrometheusTextError(index + 1, `a TYPE line names an unknown type: ${line}`);
        family(typeLine[1]!).type = typeLine[2]!;
      }
      continue;
    }
    const sample = parseSample(line, index + 1);
    family(sample.name).samples.push(sample);
  }
  return families;
}

function parseSample(line: string, number: number): PrometheusSample {
  const name = metricName.exec(line)?.[0];
  if (name === undefined) throw new PrometheusTextError(number, `expected a metric name, found ${JSON.stringify(line.slice(0, 40))}`);
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    rest = rest.slice(1);
    for (;;) {
      rest = rest.trimStart();
      if (rest.startsWith('}')) break;
      const label = labelName.exec(rest)?.[0];
      const afterName = label === undefined ? '' : rest.slice(label.length).trimStart();
      const afterEquals = afterName.startsWith('=') ? afterName.slice(1).trimStart() : '';
      if (label === undefined || !afterEquals.startsWith('"')) throw new PrometheusTextError(number, `expected label="value" in ${name}'s labels`);
      const { value, after } = quoted(afterEquals.slice(1), number, name);
      labels[label] = value;
      rest = after.trimStart();
      if (rest.startsWith(',')) rest = rest.slice(1);
      else if (!rest.startsWith('}')) throw new PrometheusTextError(number, `expected , or } after a label of ${name}`);
    }
    rest = rest.slice(1);
  }
  const fields = rest.trim().split(/\s+/);
  if (!/^\s/.test(rest) || fields.length < 1 || fields.length > 2 || fields[0] === '') {
    throw new PrometheusTextError(number, `expected ${name}'s value (and an optional timestamp) after a space`);
  }
  const value = sampleValue(fields[0]!);
  if (value === undefined) throw new PrometheusTextError(number, `${name}'s value ${JSON.stringify(fields[0])} is not a number`);
  if (fields[1] !== undefined && !/^-?\d+$/.test(fields[1]))
    throw new PrometheusTextError(number, `${name}'s timestamp ${JSON.stringify(fields[1])} is not whole milliseconds`);
  return { name, labels, value };
}

/** A label value up to its closing quote, with \\, \" and \n unescaped. */
function quoted(text: string, number: number, name: string): { value: string; after: string } {
  let value = '';
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (char === '"') return { value, after: text.slice(index + 1) };
    if (char === '\\') {
      const next = text[++index];
      if (next === 'n') value += '\n';
      else if (next === '\\' || next === '"') value += next;
      else throw new PrometheusTextError(number, `unknown escape \\${next ?? ''} in a label of ${name}`);
    } else {
      value += char;
    }
  }
  throw new PrometheusTextError(number, `a label value of ${name} has no closing quote`);
}

/** A float as Go's strconv.ParseFloat reads it, as Prometheus does: NaN and Inf in any letter case (prom-client writes "Nan"). */
function sampleValue(text: string): number | undefined {
  const special = /^([-+]?)(inf|infinity|nan)$/i.exec(text);
  if (special) return special[2]!.toLowerCase() === 'nan' ? NaN : special[1] === '-' ? -Infinity : Infinity;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

/** The value of a metric with no labels, or the sum over its label sets (a per-process metric split by pid); undefined when absent. */
export function metricValue(families: Map<string, PrometheusFamily>, name: string): number | undefined {
  const samples = families.get(name)?.samples;
  if (!samples || samples.length === 0) return undefined;
  const total = samples.reduce((sum, sample) => sum + sample.value, 0);
  return Number.isFinite(total) ? total : undefined;
}
