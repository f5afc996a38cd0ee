// sockcap's own version and root folder, read from its package.json (compiled code lives
// two or three folders below it, depending on the entry point).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'sockcap') {
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('sockcap: cannot find its own package.json');
    dir = parent;
  }
}

export const packageRoot = findRoot();
export const version = (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
