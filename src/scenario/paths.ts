// Files that ship inside the package (scenarios/) are found from this module's own location,
// which differs between src/ (tests, ts tooling) and dist/src/ (the installed CLI).

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMapping } from './raw.js';

/** The directory holding sockcap's own package.json. */
export function packageRoot(): string {
  const start = path.dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (isSockcapRoot(dir)) return dir;
    if (path.dirname(dir) === dir) throw new Error(`sockcap's package.json was not found above ${start}; the installation is incomplete`);
  }
}

function isSockcapRoot(dir: string): boolean {
  try {
    const manifest: unknown = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
    return isMapping(manifest) && manifest.name === 'sockcap';
  } catch {
    return false;
  }
}
