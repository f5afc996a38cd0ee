// The layer order of docs/architecture.md, read from the imports themselves: a folder of
// src/ imports only folders below it, so no lower layer reaches into a higher one and no
// two folders import each other. A new folder must be given its place here.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const src = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

/** Higher numbers sit higher; a folder may import only folders with a lower number. Files at the top of src/ are placed by name: index.ts re-exports api.ts. */
const layers: Record<string, number> = {
  'bin.ts': 11,
  cli: 10,
  'index.ts': 9.5,
  'api.ts': 9,
  coordinator: 8,
  sweep: 8,
  probe: 8,
  merge: 8,
  agent: 8,
  outputs: 6,
  gate: 6,
  worker: 5,
  workloads: 4,
  protocols: 4,
  target: 3,
  results: 2,
  scenario: 1,
  metrics: 0,
  'errors.ts': -1,
  'version.ts': -1,
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** The folder of src/ a file belongs to, or its own name for a file at the top. */
function layerOf(path: string): string {
  return relative(src, path).split(sep)[0]!;
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g)].map((match) => match[1]!);
}

test('every folder of src/ has its place in the layer order', () => {
  const unplaced = readdirSync(src).filter((name) => !(name in layers) && (name.endsWith('.ts') || statSync(join(src, name)).isDirectory()));
  assert.deepEqual(unplaced, [], 'give each new folder a layer in test/layers.test.ts and docs/architecture.md');
});

test('no folder of src/ imports a folder above it or beside it', () => {
  const breaches: string[] = [];
  for (const file of sourceFiles(src)) {
    const from = layerOf(file);
    for (const specifier of imports(file)) {
      const to = layerOf(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
      if (to === from) continue;
      if (!(layers[to]! < layers[from]!)) breaches.push(`${relative(src, file)} imports ${specifier} (${from} → ${to})`);
    }
  }
  assert.deepEqual(breaches, []);
});
