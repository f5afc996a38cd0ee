// Where a run writes: results/<run-id>/, the id sortable by time and readable by a person.
import { existsSync, mkdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';

export function makeRunId(scenarioName: string, at: Date): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const safeName = scenarioName.replace(/[^a-zA-Z0-9_.-]+/g, '-').slice(0, 40) || 'run';
  return `${stamp}-${safeName}`;
}

/**
 * Creates the run's folder; a second run in the same second gets a numbered suffix.
 * `exact`: `parent` itself is the folder (`merge --out`), and must not hold a run already.
 */
export function createResultsDir(parent: string, runId: string, exact = false): { runId: string; dir: string } {
  try {
    return create(parent, runId, exact);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === undefined ? undefined : reasons[code];
    if (why === undefined) throw error;
    throw new UsageError(`--out ${parent}: cannot create the results folder there (${code}: ${why}): give --out a folder you can write to`);
  }
}

const reasons: Record<string, string> = {
  ENOTDIR: 'part of the path is a file, not a folder',
  EEXIST: 'a file of that name is in the way',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
};

function create(parent: string, runId: string, exact: boolean): { runId: string; dir: string } {
  if (exact) {
    const dir = resolve(parent);
    if (existsSync(join(dir, 'run.json'))) throw new UsageError(`${parent} already holds a run (run.json): give --out a new folder`);
    mkdirSync(dir, { recursive: true });
    return { runId: basename(dir) || runId, dir };
  }
  mkdirSync(resolve(parent), { recursive: true });
  for (let attempt = 1; ; attempt++) {
    const id = attempt === 1 ? runId : `${runId}-${attempt}`;
    const dir = join(resolve(parent), id);
    if (!existsSync(dir)) {
      mkdirSync(dir);
      return { runId: id, dir };
    }
  }
}
