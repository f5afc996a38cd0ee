// One HTTP/1.1 request serialized once, byte for byte as undici writes it (request line, a
// `host` header from the target, `connection: keep-alive`, the scenario's headers in order,
// `content-length` when there is a body or the method expects one): the lean keep-alive
// driver writes this Buffer for every request, and byte counts match the undici path's.
import type { HttpSettings } from '../scenario/protocol-settings.js';

/** undici sends `content-length: 0` for these methods even without a body. */
const expectsPayload: ReadonlySet<string> = new Set(['PUT', 'POST', 'PATCH', 'QUERY', 'PROPFIND', 'PROPPATCH']);

export function http1RequestBytes(settings: Pick<HttpSettings, 'method' | 'headers' | 'body'>, target: URL, path: string): Buffer {
  let head = `${settings.method} ${path} HTTP/1.1\r\nhost: ${target.hostname}${target.port ? `:${target.port}` : ''}\r\nconnection: keep-alive\r\n`;
  for (const [name, value] of Object.entries(settings.headers)) head += `${name}: ${value}\r\n`;
  const body = settings.body === undefined ? undefined : Buffer.from(settings.body);
  if (body && body.length > 0) return Buffer.concat([Buffer.from(`${head}content-length: ${body.length}\r\n\r\n`, 'latin1'), body]);
  if (expectsPayload.has(settings.method)) head += 'content-length: 0\r\n';
  return Buffer.from(`${head}\r\n`, 'latin1');
}
