// Counts the objects of this thread's heap by kind ("closure:settle", "object:Timeout") and
// their bytes, from a V8 heap snapshot (which collects garbage first): what a test compares
// before and after holding connections, to see what each connection keeps. A snapshot is
// written to a file and read once the holds are over: a census kept in the heap while the
// next snapshot is taken would be counted in it (its thousands of keys, strings and numbers
// were once 2 to 4 objects and 1 KB "per connection").
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';

/** Objects by kind, e.g. "closure:settle" → 400, their self sizes by kind under "bytes:<kind>", and under `bytes` all of them summed but code. */
export type Census = Map<string, number>;

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

/** A snapshot of this thread's heap, in a file: nothing of it is in the heap until it is read. */
export class HeapSnapshotFile {
  constructor(readonly path: string) {}

  static take(dir: string, name: string): HeapSnapshotFile {
    return new HeapSnapshotFile(writeHeapSnapshot(join(dir, `${name}.heapsnapshot`)));
  }

  /** Reads the snapshot (and deletes the file): the census, and what retains the objects of `retainedKinds`. */
  read(retainedKinds: readonly string[] = []): { census: Census; retainers: Map<string, Census> } {
    const snapshot = JSON.parse(readFileSync(this.path, 'utf8')) as Snapshot;
    rmSync(this.path, { force: true });
    return { census: census(snapshot), retainers: retainers(snapshot, retainedKinds) };
  }
}

function kindsOf(snapshot: Snapshot): { kinds: string[]; types: string[]; sizes: number[] } {
  const { meta } = snapshot.snapshot;
  const width = meta.node_fields.length;
  const typeAt = meta.node_fields.indexOf('type');
  const nameAt = meta.node_fields.indexOf('name');
  const sizeAt = meta.node_fields.indexOf('self_size');
  const kinds: string[] = [];
  const types: string[] = [];
  const sizes: number[] = [];
  for (let i = 0; i < snapshot.nodes.length; i += width) {
    const type = meta.node_types[0][snapshot.nodes[i + typeAt]!]!;
    // Strings, numbers and code are named by their contents: one kind each.
    const name = type.includes('string') || type === 'code' || type === 'number' ? '' : snapshot.strings[snapshot.nodes[i + nameAt]!]!;
    kinds.push(`${type}:${name}`);
    types.push(type);
    sizes.push(snapshot.nodes[i + sizeAt]!);
  }
  return { kinds, types, sizes };
}

function census(snapshot: Snapshot): Census {
  const { kinds, types, sizes } = kindsOf(snapshot);
  const count: Census = new Map();
  let bytes = 0;
  for (let node = 0; node < kinds.length; node++) {
    const kind = kinds[node]!;
    count.set(kind, (count.get(kind) ?? 0) + 1);
    count.set(`bytes:${kind}`, (count.get(`bytes:${kind}`) ?? 0) + sizes[node]!);
    // Code is left out of the bytes: V8 compiles lazily and flushes bytecode it has not run
    // for a while, so between two censuses code comes and goes by the thousand whatever is
    // held (a CI run once saw 30 code objects "per connection").
    if (types[node] !== 'code') bytes += sizes[node]!;
  }
  count.set('bytes', bytes);
  return count;
}

/**
 * For each kind asked for, its objects counted by what holds them: the kind of the retainer
 * and the edge ("object:ReadableState.buffer"; weak edges left out), one count per retaining edge.
 */
function retainers(snapshot: Snapshot, wanted: readonly string[]): Map<string, Census> {
  const result = new Map<string, Census>(wanted.map((kind) => [kind, new Map()]));
  if (wanted.length === 0) return result;
  const { meta } = snapshot.snapshot;
  const { kinds } = kindsOf(snapshot);
  const nodeWidth = meta.node_fields.length;
  const edgeCountAt = meta.node_fields.indexOf('edge_count');
  const edgeWidth = meta.edge_fields.length;
  const edgeTypeAt = meta.edge_fields.indexOf('type');
  const edgeNameAt = meta.edge_fields.indexOf('name_or_index');
  const toAt = meta.edge_fields.indexOf('to_node');
  const edgeTypes = meta.edge_types[0];
  let edge = 0;
  for (let node = 0; node < kinds.length; node++) {
    const edges = snapshot.nodes[node * nodeWidth + edgeCountAt]!;
    for (let k = 0; k < edges; k++, edge += edgeWidth) {
      const type = edgeTypes[snapshot.edges[edge + edgeTypeAt]!]!;
      if (type === 'weak') continue;
      const by = result.get(kinds[snapshot.edges[edge + toAt]! / nodeWidth]!);
      if (!by) continue;
      const name = type === 'element' || type === 'hidden' ? `[${type}]` : snapshot.strings[snapshot.edges[edge + edgeNameAt]!]!;
      const key = `${kinds[node]}.${name}`;
      by.set(key, (by.get(key) ?? 0) + 1);
    }
  }
  return result;
}

/** Per connection, by key: what `after` has more of than `before`, divided by `connections`. */
export function perConnection(before: Census, after: Census, connections: number): Map<string, number> {
  const result = new Map<string, number>();
  for (const [kind, n] of after) result.set(kind, (n - (before.get(kind) ?? 0)) / connections);
  for (const [kind, n] of before) if (!after.has(kind)) result.set(kind, -n / connections);
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

/** The kinds that take the most bytes per connection, largest first: "object:Socket 264 B (1.00)". */
export function bytesByKind(per: Map<string, number>, atLeast = 8): string[] {
  return [...per]
    .filter(([key, bytes]) => key.startsWith('bytes:') && !key.startsWith('bytes:code:') && Math.abs(bytes) >= atLeast)
    .sort((a, b) => b[1] - a[1])
    .map(([key, bytes]) => {
      const kind = key.slice('bytes:'.length);
      return `${kind} ${bytes.toFixed(0)} B (${(per.get(kind) ?? 0).toFixed(2)})`;
    });
}
