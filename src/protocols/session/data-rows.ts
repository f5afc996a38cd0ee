// The rows of a session's data file, read once per worker thread however many connections
// (and drivers) it runs. Connection i gets row i mod rows, whichever worker runs it.
import { readDataFile } from '../../scenario/data-file.js';
import type { DataSettings } from '../../scenario/session-types.js';

const cache = new Map<string, Record<string, unknown>[]>();
const noRow: Readonly<Record<string, unknown>> = Object.freeze({});

export function rowOf(data: DataSettings, connection: number): Readonly<Record<string, unknown>> {
  if (data.file === undefined) return noRow;
  let rows = cache.get(data.file);
  if (!rows) cache.set(data.file, (rows = readDataFile(data.file).rows));
  return rows[connection % rows.length] ?? noRow;
}
