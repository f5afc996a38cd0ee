// One CSV dialect for every file sockcap writes: a header row, RFC 4180 quoting, and
// booleans as `true`/`false` (csv-stringify's default of 1 and an empty cell reads as
// "missing" in a spreadsheet).
import { stringify } from 'csv-stringify/sync';

export type CsvValue = string | number | boolean | undefined;

export function csvText(records: Record<string, CsvValue>[], columns: readonly string[], header = true): string {
  return stringify(records, {
    header,
    columns: [...columns],
    cast: { boolean: (value) => (value ? 'true' : 'false') },
  });
}
