// How `http.version` and `http.streams` tie to the other fields: streams are HTTP/2's,
// pipelining HTTP/1.1's, and an HTTP/2 connection is kept (there is no `Connection: close`).
import type { ScenarioRule } from '../scenario/rules.js';

export const http2Rules: readonly ScenarioRule[] = [
  (s) =>
    s.http.version === '1.1' && s.http.streams > 1
      ? { path: ['http', 'streams'], expected: 'expected 1 with http.version: 1.1 (streams are HTTP/2: set http.version: 2 or auto)' }
      : undefined,
  (s) =>
    s.http.version !== '1.1' && s.http.pipelining > 1
      ? { path: ['http', 'pipelining'], expected: `expected 1 with http.version: ${s.http.version} (HTTP/2 multiplexes: set http.streams)` }
      : undefined,
  (s) =>
    s.http.version !== '1.1' && !s.http.keepAlive
      ? {
          path: ['http', 'keepAlive'],
          expected: `expected true with http.version: ${s.http.version} (an HTTP/2 connection is kept; workload: connect cycles connections)`,
        }
      : undefined,
  (s) =>
    s.http.version === '1.1' && s.target === undefined && s.server.http2
      ? { path: ['http', 'version'], expected: 'expected 2 or auto with server.http2: true (the built-in HTTP/2 target speaks HTTP/2 only)' }
      : undefined,
];
