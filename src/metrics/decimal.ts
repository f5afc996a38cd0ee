// Numbers written as Intl.NumberFormat('en-US') writes them (at most so many fraction digits,
// thousands grouped with commas), without Intl: the first NumberFormat of a process, and the
// first toLocaleString, load ICU's locale data, 8 ms of CPU at the end of every run for a few
// figures on the console, in latency.csv and in the report. Intl rounds the shortest decimal
// form of a number (what String gives), half away from zero; so does this. Anything else than
// a finite number in plain decimal form (an exponent, a negative) is left to Intl.

const plain = /^(\d+)(?:\.(\d+))?$/;

function intlFormat(value: number, fractionDigits: number, grouping: boolean): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: fractionDigits, useGrouping: grouping });
}

/** Adds 1 to a string of decimal digits, keeping its length unless it carries into a new digit. */
function incremented(digits: string): string {
  const chars = digits.split('');
  for (let at = chars.length - 1; at >= 0; at--) {
    if (chars[at] !== '9') {
      chars[at] = String(Number(chars[at]) + 1);
      return chars.join('');
    }
    chars[at] = '0';
  }
  return `1${chars.join('')}`;
}

function groupThousands(whole: string): string {
  let grouped = '';
  for (let end = whole.length; end > 0; end -= 3) grouped = whole.slice(Math.max(0, end - 3), end) + (grouped ? `,${grouped}` : '');
  return grouped;
}

/** `value` with at most `fractionDigits` fraction digits (none trailing), grouped by thousands unless asked not to. */
export function formatDecimal(value: number, fractionDigits: number, grouping = true): string {
  const match = Object.is(value, -0) ? null : plain.exec(String(value));
  if (!match) return intlFormat(value, fractionDigits, grouping);
  let whole = match[1]!;
  let fraction = match[2] ?? '';
  if (fraction.length > fractionDigits) {
    const roundUp = fraction.charCodeAt(fractionDigits) >= 0x35;
    const kept = whole + fraction.slice(0, fractionDigits);
    const rounded = roundUp ? incremented(kept) : kept;
    whole = rounded.slice(0, rounded.length - fractionDigits);
    fraction = rounded.slice(rounded.length - fractionDigits).replace(/0+$/, '');
  }
  whole = whole.replace(/^0+(?=\d)/, '');
  if (grouping) whole = groupThousands(whole);
  return fraction ? `${whole}.${fraction}` : whole;
}

/** A count as the console and the report write it: rounded to a whole number, thousands grouped (12,345). */
export function formatInteger(value: number): string {
  return formatDecimal(Math.round(value), 0);
}
