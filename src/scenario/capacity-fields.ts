// Parsers for the fields that take a run past one process and one source address.
import { isIP } from 'node:net';
import { parser, reject, type Parser } from './parsers.js';

/** `auto` (stored as 0: sized from the connection count) or a whole number of processes. */
export function processCount(max: number): Parser<number> {
  return autoCount(max, 'processes');
}

/** `auto` (stored as 0: sized from the machine's cores and where the target runs) or a whole number of worker threads. */
export function workerCount(max: number): Parser<number> {
  return autoCount(max, 'worker threads');
}

function autoCount(max: number, unit: string): Parser<number> {
  const expected = `expected auto or a whole number of ${unit} from 1 to ${max}`;
  const schema = { anyOf: [{ const: 'auto' }, { type: 'integer', minimum: 1, maximum: max }], description: expected.replace(/^expected /, '') };
  return parser(schema, (value, path) => {
    if (value === 'auto') return 0;
    return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= max ? value : reject(path, expected, value);
  });
}

const sourcesExpected = 'expected a list of local IP addresses ([127.0.0.1, 127.0.0.2]) or an IPv4 range (127.0.0.1-127.0.0.8)';

function ipv4ToNumber(address: string): number {
  return address.split('.').reduce((sum, part) => sum * 256 + Number(part), 0);
}

function numberToIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** The local addresses connections are bound to: a list, or a range of at most 256 IPv4 addresses. */
export const sources: Parser<string[]> = parser(
  { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }], description: sourcesExpected.replace(/^expected /, '') },
  (value, path) => {
    if (typeof value === 'string') {
      const [from, to, extra] = value.split('-').map((part) => part.trim());
      if (from && to && extra === undefined && isIP(from) === 4 && isIP(to) === 4) {
        const low = ipv4ToNumber(from);
        const high = ipv4ToNumber(to);
        if (high >= low && high - low < 256) return Array.from({ length: high - low + 1 }, (_, i) => numberToIpv4(low + i));
      }
      if (isIP(value) !== 0) return [value];
      return reject(path, sourcesExpected, value);
    }
    if (!Array.isArray(value)) return reject(path, sourcesExpected, value);
    return value.map((item, index) =>
      typeof item === 'string' && isIP(item) !== 0 ? item : reject([...path, index], 'expected a local IP address like 127.0.0.2', item),
    );
  },
);
