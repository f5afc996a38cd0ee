// The request an HTTP/2 stream sends, built once per connection from `http`: the
// pseudo-headers and the user's headers, lower-cased as HTTP/2 requires, without the
// connection-specific ones HTTP/2 forbids (RFC 9113 section 8.2.2), which a scenario written
// for HTTP/1.1 may carry (node:http2 would throw on them).
import type { OutgoingHttpHeaders } from 'node:http2';
import type { HttpSettings } from '../scenario/protocol-settings.js';

const connectionSpecific: ReadonlySet<string> = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host']);

export function requestHeaders(settings: HttpSettings, target: URL): OutgoingHttpHeaders {
  const path = target.pathname === '/' && settings.path ? settings.path : target.pathname + target.search;
  const headers: OutgoingHttpHeaders = { ':method': settings.method, ':path': path };
  for (const [name, value] of Object.entries(settings.headers)) {
    const lower = name.toLowerCase();
    if (!connectionSpecific.has(lower)) headers[lower] = value;
  }
  return headers;
}
