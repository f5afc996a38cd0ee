import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDecimal, formatInteger } from '../src/metrics/decimal.js';

function values(): number[] {
  const list = [0, -0, 1, -1, 0.5, 1.5, 2.5, 0.05, 0.005, 0.0005, 9.995, 99.95, 999.5, 999_999.5, 1e21, 1e-7, -0.0001, NaN, Infinity, 123_456_789.987654];
  let state = 11;
  const next = (): number => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  for (let i = 0; i < 2_000; i++) {
    const scale = 10 ** Math.floor(next() * 12 - 4);
    list.push(next() * scale, Math.round(next() * 1e6) / 1e4, Math.round(next() * scale * 1000) / 1000 + 0.0005, -next() * scale);
  }
  return list;
}

test('numbers are written as Intl.NumberFormat en-US writes them, without Intl', () => {
  for (const value of values()) {
    for (const digits of [0, 1, 2, 3, 4, 12]) {
      assert.equal(formatDecimal(value, digits), value.toLocaleString('en-US', { maximumFractionDigits: digits }), `${value} with ${digits} digits`);
      assert.equal(
        formatDecimal(value, digits, false),
        value.toLocaleString('en-US', { maximumFractionDigits: digits, useGrouping: false }),
        `${value} ungrouped`,
      );
    }
    assert.equal(formatInteger(value), Math.round(value).toLocaleString('en-US'), `${value} as a count`);
    assert.equal(formatDecimal(value, 3), value.toLocaleString('en-US'), `${value} with toLocaleString's default`);
  }
});
