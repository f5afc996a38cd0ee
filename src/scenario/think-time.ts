// `thinkTime` is a duration (`250ms`, the same pause every time) or a distribution the pause is
// drawn from before each request, so the idle gaps of a keep-alive socket straddle a timeout
// the way real users' do: `{ distribution: uniform, min: 100ms, max: 2s }` or
// `{ distribution: exponential, mean: 1s }`.

import { Invalid, oneOf, parser, reject, type Parser } from './parsers.js';
import { duration, atLeast } from './quantity-parsers.js';
import { isMapping, own, type PathSegment, type RawMapping } from './raw.js';
import { thinkTimeDistributions, type ThinkTime } from './types.js';

const pause = duration(atLeast(0));
const kind = oneOf(thinkTimeDistributions);

/** The fields of each distribution (beside `distribution` itself). */
export const thinkTimeFields: Record<ThinkTime['distribution'], readonly string[]> = {
  fixed: ['value'],
  uniform: ['min', 'max'],
  exponential: ['mean'],
};

const example = 'a duration like 250ms, or { distribution: uniform, min: 100ms, max: 2s } or { distribution: exponential, mean: 1s }';

// Every distribution's fields are allowed in the mapping (a step may switch distribution and
// merge into the base's); which ones a distribution needs is the parser's to say.
const thinkTimeSchema = {
  anyOf: [
    pause.schema,
    {
      type: 'object',
      properties: Object.fromEntries<unknown>([
        ['distribution', kind.schema],
        ...Object.values(thinkTimeFields)
          .flat()
          .map((key): [string, unknown] => [key, pause.schema]),
      ]),
      required: ['distribution'],
      additionalProperties: false,
    },
  ],
};

export const thinkTime: Parser<ThinkTime> = parser(thinkTimeSchema, (value, path) => {
  if (!isMapping(value)) {
    if (typeof value === 'number' || (typeof value === 'string' && !value.trimStart().startsWith('{'))) {
      return { distribution: 'fixed', value: pause(value, path) };
    }
    // --set keeps `{ … }` as text; nested paths reach the fields (thinkTime.distribution=uniform).
    reject(path, `expected ${example} (with --set, set thinkTime.distribution, thinkTime.min, … one by one)`, value);
  }
  const distribution = kind(own(value, 'distribution'), [...path, 'distribution']);
  // A step that switches distribution merges into the base's mapping, so the other
  // distributions' fields may be present; anything else is a typo.
  const known = ['distribution', ...Object.values(thinkTimeFields).flat()];
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw new Invalid([...path, key], `unknown field (allowed: distribution, ${thinkTimeFields[distribution].join(', ')})`);
    }
  }
  const field = (key: string): number => pause(required(value, key, path), [...path, key]);
  switch (distribution) {
    case 'fixed':
      return { distribution, value: field('value') };
    case 'uniform': {
      const min = field('min');
      const max = field('max');
      if (max < min) reject([...path, 'max'], 'expected at least min', own(value, 'max'));
      return { distribution, min, max };
    }
    case 'exponential':
      return { distribution, mean: field('mean') };
  }
});

function required(mapping: RawMapping, key: string, path: PathSegment[]): unknown {
  const given = own(mapping, key);
  if (given === undefined)
    throw new Invalid([...path, key], `expected a duration like 1s (distribution: ${String(own(mapping, 'distribution'))} needs ${key})`);
  return given;
}

/** The average pause: what a closed loop's pace depends on. */
export function meanThinkTime(think: ThinkTime): number {
  switch (think.distribution) {
    case 'fixed':
      return think.value;
    case 'uniform':
      return (think.min + think.max) / 2;
    case 'exponential':
      return think.mean;
  }
}
