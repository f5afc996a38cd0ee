// Parser of `data`: a .csv or .jsonl file read at load, so a missing file or a bad row is
// refused before any load and the plan knows how many rows there are.
import path from 'node:path';
import { DataFileError, readDataFile } from './data-file.js';
import { Invalid, boolean, parser, reject, type Parser } from './parsers.js';
import { isMapping, own, type RawMapping } from './raw.js';
import type { DataSettings } from './session-types.js';

export const noData: DataSettings = { file: undefined, unique: false, columns: [], rows: 0 };

const dataFileSchema = { type: 'string', pattern: '\\S', description: 'the path of a .csv or .jsonl file' };
const dataSchema = {
  anyOf: [
    { type: 'null' },
    dataFileSchema,
    { type: 'object', properties: { file: dataFileSchema, unique: boolean.schema }, required: ['file'], additionalProperties: false },
  ],
};
export const dataField: Parser<DataSettings> = parser(dataSchema, (value, at) => {
  if (value === null) return noData;
  const given: RawMapping =
    typeof value === 'string'
      ? { file: value }
      : isMapping(value)
        ? value
        : reject(at, 'expected a .csv or .jsonl file, or { file: users.csv, unique: true }', value);
  for (const key of Object.keys(given)) if (key !== 'file' && key !== 'unique') throw new Invalid([...at, key], 'unknown field (allowed: file, unique)');
  const fileAt = typeof value === 'string' ? at : [...at, 'file'];
  const file = own(given, 'file');
  if (typeof file !== 'string' || file.trim() === '') reject(fileAt, 'expected the path of a .csv or .jsonl file', file);
  const unique = given.unique === undefined ? false : boolean(given.unique, [...at, 'unique']);
  const absolute = path.resolve(file);
  try {
    const { columns, rows } = readDataFile(absolute);
    return { file: absolute, unique, columns, rows: rows.length };
  } catch (err) {
    if (err instanceof DataFileError) throw new Invalid(fileAt, `cannot use "${file}": ${err.message}`);
    throw err;
  }
});
