import { formatInteger } from '../metrics/decimal.js';
/** Formats rows as an aligned text table; numbers right-aligned, text left-aligned. */
export function formatTable(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  const numeric = header.map((_, column) => rows.every((row) => typeof row[column] === 'number' || /^[\d.,]+( ?[a-z%/]+)?$/i.test(String(row[column]))));
  return cells
    .map((row) =>
      row
        .map((cell, column) => (numeric[column] && row !== header ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function formatCount(value: number | undefined): string {
  if (value === undefined) return '-';
  return formatInteger(value);
}

/** `-` for a figure that was not measured (an empty CSV cell), never `0.00 ms`. */
export function formatMs(value: number | undefined): string {
  if (value === undefined) return '-';
  if (value >= 1000) return `${(value / 1000).toFixed(2)} s`;
  if (value >= 10) return `${value.toFixed(1)} ms`;
  return `${value.toFixed(2)} ms`;
}
