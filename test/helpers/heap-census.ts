// Counts the objects of this thread's heap by kind ("closure:settle", "object:Timeout"), from
// a V8 heap snapshot (which collects garbage first): what a test compares before and after
// holding connections, to see what each connection keeps.
import { getHeapSnapshot } from 'node:v8';

/** Objects by kind, e.g. "closure:settle" → 400, and under `bytes` their self sizes summed (every kind but code). */
export type Census = Map<string, number>;

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

export async function census(): Promise<Census> {
  const chunks: Buffer[] = [];
  for await (const chunk of getHeapSnapshot()) chunks.push(chunk as Buffer);
  const { snapshot, nodes, strings } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Snapshot;
  const fields = snapshot.meta.node_fields;
  const typeNames = snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const count: Census = new Map();
  let bytes = 0;
  for (let i = 0; i < nodes.length; i += width) {
    const type = typeNames[nodes[i + typeAt]!]!;
    // Code is left out of the bytes: V8 compiles lazily and flushes bytecode it has not run
    // for a while, so between two censuses code comes and goes by the thousand whatever is
    // held (a CI run once saw 30 code objects "per connection").
    if (type !== 'code') bytes += nodes[i + sizeAt]!;
    // Strings and code are named by their contents: one kind each.
    const name = type.includes('string') || type === 'code' || type === 'number' ? '' : strings[nodes[i + nameAt]!]!;
    const kind = `${type}:${name}`;
    count.set(kind, (count.get(kind) ?? 0) + 1);
  }
  count.set('bytes', bytes);
  return count;
}

/** Per connection, by kind: what `after` has more of than `before`, divided by `connections`. */
export function perConnection(before: Census, after: Census, connections: number): Map<string, number> {
  const result = new Map<string, number>();
  for (const [kind, n] of after) result.set(kind, (n - (before.get(kind) ?? 0)) / connections);
  return result;
}

/** Everything `per` counts of one node type ("closure"), summed. */
export function ofType(per: Map<string, number>, type: string): number {
  let sum = 0;
  for (const [kind, n] of per) if (kind.startsWith(`${type}:`)) sum += n;
  return sum;
}

/** JavaScript objects, closures and arrays: what a connection's state is made of (strings and code are not). */
export function objects(per: Map<string, number>): number {
  return ofType(per, 'object') + ofType(per, 'closure') + ofType(per, 'array');
}
