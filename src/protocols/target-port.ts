/** The port a URL names, or its scheme's default (443 for https and wss, 80 otherwise). */
export function defaultPort(url: URL): number {
  if (url.port) return Number(url.port);
  return url.protocol === 'https:' || url.protocol === 'wss:' ? 443 : 80;
}
