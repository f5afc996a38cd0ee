// A request's target as the built-in target reads it. `new URL('//', base)` throws (an empty
// host), and a throw in a request or upgrade handler would take the whole target down: a
// request line the URL parser refuses has no path here, and is answered 400.

const base = 'http://target';

export function requestUrl(raw: string | undefined): URL | undefined {
  try {
    return new URL(raw ?? '/', base);
  } catch {
    return undefined;
  }
}
