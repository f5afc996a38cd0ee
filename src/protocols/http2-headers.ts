// The request an HTTP/2 stream sends: the pseudo-headers and the user's headers, lower-cased
// as HTTP/2 requires, without the connection-specific ones HTTP/2 forbids (RFC 9113 section
// 8.2.2), which a scenario written for HTTP/1.1 may carry (node:http2 would throw on them).
import type { OutgoingHttpHeaders } from 'node:http2';
import type { HttpSettings } from '../scenario/protocol-settings.js';

const connectionSpecific: ReadonlySet<string> = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host']);

/** The plain load's request, built once per connection from `http`. */
export function requestHeaders(settings: HttpSettings, target: URL): OutgoingHttpHeaders {
  const path = target.pathname === '/' && settings.path ? settings.path : target.pathname + target.search;
  return http2Headers(settings.method, path, settings.headers);
}

export function http2Headers(method: string, path: string, headers: Readonly<Record<string, string>>): OutgoingHttpHeaders {
  const result: OutgoingHttpHeaders = { ':method': method, ':path': path };
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (!connectionSpecific.has(lower)) result[lower] = value;
  }
  return result;
}
