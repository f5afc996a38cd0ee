/** The port a URL names, or its scheme's default (443 for https and wss, 80 otherwise). */
export function defaultPort(url: URL): number {
  if (url.port) return Number(url.port);
  return url.protocol === 'https:' || url.protocol === 'wss:' ? 443 : 80;
}

/**
 * The target as an HTTP client addresses it: a ws:// or wss:// target URL (handy when the
 * same server is load-tested over WebSocket and HTTP) becomes http:// or https://.
 */
export function httpTarget(url: URL): URL {
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') return url;
  const converted = new URL(url.href);
  converted.protocol = url.protocol === 'ws:' ? 'http:' : 'https:';
  return converted;
}

/** The target as a WebSocket client addresses it, with `path` when the URL names none. */
export function webSocketUrl(target: URL, path: string): string {
  const url = new URL(target.href);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  if (url.protocol === 'https:') url.protocol = 'wss:';
  if (url.pathname === '/' && path) url.pathname = path;
  return url.href;
}
