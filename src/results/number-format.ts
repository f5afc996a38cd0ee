// How numbers are written in sockcap's CSV files: rounded to a few decimals, memory in MiB,
// and an empty cell for a figure a step did not measure.

export function round(value: number, digits = 2): number {
  return Math.round(value * 10 ** digits) / 10 ** digits;
}

/** An empty cell when the step did not measure it (undefined, or not a finite number). */
export function roundOrBlank(value: number | undefined, digits = 2): number | string {
  return value === undefined || !Number.isFinite(value) ? '' : round(value, digits);
}

export function mib(bytes: number): number {
  return round(bytes / 1048576, 1);
}

/** A measured figure as it is, an empty cell when the step did not measure it. */
export function orBlank(value: number | undefined): number | string {
  return value ?? '';
}

/** A summary cell read back as a number; undefined for an empty (not measured) cell, never 0. */
export function measuredCell(cell: string | number | boolean | undefined): number | undefined {
  return typeof cell === 'number' && Number.isFinite(cell) ? cell : undefined;
}
