// Per-connection data (`data: users.csv` or `.jsonl`): connection i of the step gets row
// i mod rows, whichever worker, process or shard runs it. The file is read at load to learn
// its columns and row count (templates are checked against the columns, `unique` against the
// count); each worker reads it again for the rows, so the rows never travel in the scenario
// or land in run.json.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { errorMessage } from '../errors.js';
import { isMapping } from './raw.js';

export interface DataRows {
  columns: string[];
  rows: Record<string, unknown>[];
}

export class DataFileError extends Error {}

const kinds = ['.csv', '.jsonl'];

/** The rows of a .csv (first line: column names) or .jsonl (one JSON object per line) file. */
export function readDataFile(file: string): DataRows {
  const extension = path.extname(file).toLowerCase();
  if (!kinds.includes(extension)) throw new DataFileError('expected a .csv or .jsonl file');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DataFileError(code === 'ENOENT' ? `file not found: ${file}` : code === 'EISDIR' ? 'is a directory' : errorMessage(err));
  }
  const data = extension === '.csv' ? csvRows(text) : jsonlRows(text);
  if (data.rows.length === 0) throw new DataFileError('expected at least one row of data, found none');
  return data;
}

function csvRows(text: string): DataRows {
  let records: string[][];
  try {
    records = parse(text, { skip_empty_lines: true, trim: true, bom: true }) as string[][];
  } catch (err) {
    throw new DataFileError(`CSV error: ${errorMessage(err)}`);
  }
  const [header, ...body] = records;
  if (!header) throw new DataFileError('expected a first line naming the columns, like token,room');
  const columns = header.map((name) => name.trim());
  return { columns, rows: body.map((record) => Object.fromEntries(columns.map((column, i) => [column, record[i] ?? '']))) };
}

function jsonlRows(text: string): DataRows {
  const columns = new Set<string>();
  const rows: Record<string, unknown>[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new DataFileError(`line ${index + 1}: expected one JSON object per line`);
    }
    if (!isMapping(value)) throw new DataFileError(`line ${index + 1}: expected a JSON object like {"token":"abc"}`);
    for (const key of Object.keys(value)) columns.add(key);
    rows.push(value);
  }
  return { columns: [...columns], rows };
}
