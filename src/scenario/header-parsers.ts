// Parsers of HTTP header names and header mappings: the shape servers accept, the headers the
// client derives itself, and the limits Node's parser and most servers enforce.
import { Invalid, anyCase, parser, reject, type Parser } from './parsers.js';
import { isMapping, own } from './raw.js';

const headerNameShape = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const headerNameRule = "expected a header name of letters, digits and !#$%&'*+-.^_`|~";
export const headerName: Parser<string> = parser({ type: 'string', pattern: headerNameShape.source }, (value, path) =>
  typeof value === 'string' && headerNameShape.test(value) ? value : reject(path, headerNameRule, value),
);
const headerValue = /^[\t\x20-\x7e\x80-\xff]*$/;
// Headers the HTTP client derives from other fields or refuses outright (undici throws on them).
const reservedHeaders: Record<string, string> = {
  connection: 'use http.keepAlive: false for Connection: close',
  'keep-alive': 'use http.keepAlive and http.keepAliveTimeout',
  'transfer-encoding': 'the client frames http.body itself',
  upgrade: 'use protocol: websocket',
  expect: 'the HTTP client does not support it',
};

/** Node's http parser refuses more than 16 KiB of headers; most servers more than 100 of them. */
const mostHeaders = 100;
const mostHeaderBytes = 16 * 1024;

export const headers: Parser<Record<string, string>> = parser(
  {
    type: 'object',
    propertyNames: { pattern: headerNameShape.source, not: { pattern: `^(?:${Object.keys(reservedHeaders).map(anyCase).join('|')})$` } },
    additionalProperties: { type: ['string', 'number'] },
    maxProperties: mostHeaders,
  },
  (value, path) => {
    if (!isMapping(value)) reject(path, 'expected a mapping of header names to values', value);
    const count = Object.keys(value).length;
    if (count > mostHeaders) throw new Invalid(path, `expected at most ${mostHeaders} headers (servers refuse more), got ${count}`);
    const parsed = Object.fromEntries(
      Object.entries(value).map(([name, item]): [string, string] => {
        const at = [...path, name];
        headerName(name, at);
        const reason = own(reservedHeaders, name.toLowerCase());
        if (typeof reason === 'string') reject(at, `expected no ${name.toLowerCase()} header (${reason})`, item);
        // YAML reads `x-retry: 3` as a number; a header value is text either way.
        const given = typeof item === 'number' && Number.isFinite(item) ? String(item) : item;
        if (typeof given !== 'string') reject(at, 'expected a string on one line', item);
        // Not quoted back: a header value may be a credential.
        if (!headerValue.test(given)) throw new Invalid(at, 'expected a string on one line, got one with a control character');
        return [name, given];
      }),
    );
    const bytes = Object.entries(parsed).reduce((sum, [name, item]) => sum + name.length + item.length + 4, 0);
    if (bytes > mostHeaderBytes) throw new Invalid(path, `expected at most 16 KiB of headers (Node's and most servers' limit), got ${bytes} bytes`);
    return parsed;
  },
);
