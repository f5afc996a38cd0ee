// The scenario field `thresholds`: a list of expressions, or of mappings that add
// `abortOnFail` and `gracePeriod`. Every expression is parsed at load, so an unknown metric
// or a limit in the wrong unit is refused before any load is sent.
import { Invalid, boolean, list, mappingSchema, parseMapping, parser, reject, type Parser, type Shape } from './parsers.js';
import { duration, atLeast } from './quantity-parsers.js';
import { isMapping, own } from './raw.js';
import type { Threshold } from './types.js';
import { ExpressionError, expressionExample, parseThresholdExpression } from './threshold-expression.js';

const expression: Parser<string> = parser({ type: 'string', pattern: '\\S', description: `an expression like ${expressionExample}` }, (value, path) => {
  if (typeof value !== 'string' || value.trim() === '') return reject(path, `expected an expression like ${expressionExample}`, value);
  try {
    return parseThresholdExpression(value).text;
  } catch (error) {
    if (error instanceof ExpressionError) throw new Invalid(path, error.message);
    throw error;
  }
});

export const thresholdShape: Shape<Threshold> = {
  fields: { expression, abortOnFail: boolean, gracePeriod: duration(atLeast(0)) },
};

const plain: Omit<Threshold, 'expression'> = { abortOnFail: false, gracePeriod: 0 };

const thresholdItemSchema = { anyOf: [expression.schema, { ...mappingSchema(thresholdShape, false), required: ['expression'] }] };

export const thresholdItem: Parser<Threshold> = parser(thresholdItemSchema, (value, path) => {
  if (typeof value === 'string') return { expression: expression(value, path), ...plain };
  if (!isMapping(value)) {
    return reject(path, `expected an expression like ${expressionExample}, or a mapping { expression, abortOnFail, gracePeriod }`, value);
  }
  if (own(value, 'expression') === undefined) reject([...path, 'expression'], `expected an expression like ${expressionExample}`, undefined);
  const threshold = parseMapping(value, path, thresholdShape, { expression: '', ...plain });
  if (threshold.gracePeriod > 0 && !threshold.abortOnFail) {
    reject([...path, 'gracePeriod'], 'expected no gracePeriod without abortOnFail: true (it delays only the abort)', own(value, 'gracePeriod'));
  }
  return threshold;
});

export const thresholdList: Parser<Threshold[]> = list(
  thresholdItem,
  '["latency.p99 < 50ms", { expression: "error_rate < 1%", abortOnFail: true, gracePeriod: 5s }]',
);
