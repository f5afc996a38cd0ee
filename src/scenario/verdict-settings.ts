// `verdict`: the checks every step gets without asking (src/gate/default-verdict.ts).
// `maxErrorRate: 2%` (or 0.02) moves the limit, `maxErrorRate: off` and `requireSuccess: false`
// switch the checks off for a scenario whose errors are the point.
import { boolean, parser, reject, type Parser, type Shape } from './parsers.js';
import type { VerdictSettings } from './types.js';

const expected = 'expected an error rate like 1% or 0.01 (a share of attempts, from 0 to 1), or off';

const schema = {
  anyOf: [{ type: 'number', minimum: 0, maximum: 1 }, { type: 'string', pattern: '^\\s*(\\d+(\\.\\d+)?)\\s*%\\s*$' }, { const: 'off' }, { const: false }],
};

const parseMaxErrorRate = (value: unknown, path: Parameters<Parser<unknown>>[1]): number | 'off' => {
  if (value === 'off' || value === false) return 'off';
  if (typeof value === 'number') return value >= 0 && value <= 1 ? value : reject(path, expected, value);
  const percent = typeof value === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(value) : null;
  if (percent) {
    const fraction = Number(percent[1]) / 100;
    if (fraction <= 1) return fraction;
  }
  // --set hands a number over as text only when YAML did not read it as one; keep the rule the same.
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return parseMaxErrorRate(Number(value), path);
  return reject(path, expected, value);
};

export const maxErrorRate: Parser<number | 'off'> = parser(schema, parseMaxErrorRate);

export const verdictShape: Shape<VerdictSettings> = { fields: { maxErrorRate, requireSuccess: boolean } };
