// timeseries.csv read back (report.html's timeline): a cell that is not what its column holds
// is refused by line and column, since `sockcap report` reads folders a user may have edited.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { errorMessage } from '../errors.js';
import { StoredFileError } from './stored-value.js';

export const timeseriesFile = 'timeseries.csv';

export type TimeseriesRecord = { [column: string]: string };

/** Columns that hold words; every other one holds a number, or nothing where nothing was measured. */
const textColumns = new Set(['run_id', 'step', 'phase']);
const flagColumns = new Set(['generator_saturated']);

const isNumberCell = (cell: string): boolean => cell.trim() === '' || Number.isFinite(Number(cell));

/** The rows of a folder's timeseries.csv; none when the folder has none (a run still starting). */
export function readTimeseries(dir: string): TimeseriesRecord[] {
  const file = join(dir, timeseriesFile);
  if (!existsSync(file)) return [];
  let records: TimeseriesRecord[];
  try {
    records = parse(readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true, relax_column_count: true }) as TimeseriesRecord[];
  } catch (error) {
    throw new StoredFileError(file, `cannot be read as CSV (${errorMessage(error)})`);
  }
  records.forEach((record, i) => {
    for (const [column, cell] of Object.entries(record)) {
      if (textColumns.has(column)) continue;
      const flag = flagColumns.has(column);
      // Line i + 2: the header is line 1.
      if (flag ? !['true', 'false', ''].includes(cell) : !isNumberCell(cell)) {
        throw new StoredFileError(file, `line ${i + 2}: ${column} is ${JSON.stringify(cell)}, expected ${flag ? 'true or false' : 'a number'}`);
      }
    }
  });
  return records;
}
