// Secrets a scenario carries never leave the process: the values of credential headers
// (and of any header named in `redact:`) and the credentials of a URL are shown as
// `<redacted>` in every file, console line, error and comparison. URL credentials are
// moved into an `Authorization: Basic` header when the scenario is loaded, as curl and
// browsers send them, so the target URL itself is safe to print anywhere.
import { isMapping } from './raw.js';
import { redactedText, redactUrlCredentials, urlSecrets } from './url-credentials.js';
import type { ResolvedScenario, Scenario } from './types.js';

/** Header names whose values are always secret, whatever `redact:` adds. */
export const alwaysRedacted: readonly string[] = ['authorization', 'cookie', 'proxy-authorization', 'x-api-key'];

/** The names to redact for one scenario (lower case): the fixed list and its `redact:` entries. */
export function redactedNames(scenario: Pick<Scenario, 'redact'>): Set<string> {
  // Results written before `redact:` existed have none.
  return new Set([...alwaysRedacted, ...(scenario.redact ?? []).map((name) => name.toLowerCase())]);
}

/**
 * A scenario whose target URL carries credentials: the URL without them, and an
 * `Authorization: Basic` header unless the scenario sets one itself (as curl's -H wins over -u).
 */
export function moveUrlCredentials<T extends Scenario>(scenario: T): T {
  if (scenario.target === undefined) return scenario;
  const url = new URL(scenario.target);
  if (url.username === '' && url.password === '') return scenario;
  const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  url.username = '';
  url.password = '';
  const basic = `Basic ${Buffer.from(credentials).toString('base64')}`;
  return {
    ...scenario,
    target: url.href,
    http: { ...scenario.http, headers: withAuthorization(scenario.http.headers, basic) },
    // The WebSocket upgrade is an HTTP request too.
    websocket: { ...scenario.websocket, headers: withAuthorization(scenario.websocket.headers, basic) },
  };
}

function withAuthorization(headers: Record<string, string>, value: string): Record<string, string> {
  return Object.keys(headers).some((name) => name.toLowerCase() === 'authorization') ? headers : { ...headers, authorization: value };
}

// Values this short are redacted where they stand (a header, a URL), never searched for in
// free text, where they would blank out unrelated words.
const shortestSearched = 4;

/** Replaces a scenario's secrets in texts and in documents written from it. */
export class Redactor {
  private readonly names: Set<string>;
  private readonly values: string[];

  constructor(scenario: ResolvedScenario) {
    const steps = [scenario.base, ...scenario.steps];
    this.names = new Set(steps.flatMap((step) => [...redactedNames(step)]));
    const values = new Set<string>();
    for (const step of steps) {
      for (const [name, value] of [...Object.entries(step.http.headers), ...Object.entries(step.websocket.headers)]) {
        if (this.names.has(name.toLowerCase())) values.add(value);
      }
    }
    collectUrlCredentials(scenario.raw, values);
    for (const argument of process.argv) collectUrlCredentials(argument, values);
    // Longest first, so a value that contains another is replaced whole.
    this.values = [...values].filter((value) => value.length >= shortestSearched).sort((a, b) => b.length - a.length);
  }

  /** A line of text (an error, a console line, a command-line argument). */
  text(line: string): string {
    let text = redactUrlCredentials(line);
    text = text.replace(/(headers\.([!#$%&'*+\-.^_`|~0-9A-Za-z]+)=)(.*)/g, (match, head: string, name: string) =>
      this.names.has(name.toLowerCase()) ? `${head}${redactedText}` : match,
    );
    for (const value of this.values) text = text.split(value).join(redactedText);
    return text;
  }

  /** A JSON-like document: header values by name, every string as text. */
  deep(value: unknown, key?: string): unknown {
    if (typeof value === 'string') return this.text(value);
    if (Array.isArray(value)) return value.map((item) => this.deep(item));
    if (!isMapping(value)) return value;
    const headers = key === 'headers';
    return Object.fromEntries(
      Object.entries(value).map(([name, item]) => [
        name,
        headers && typeof item === 'string' && this.names.has(name.toLowerCase()) ? redactedText : this.deep(item, name),
      ]),
    );
  }
}

/** Every URL credential in the strings of a raw scenario. */
function collectUrlCredentials(value: unknown, into: Set<string>): void {
  if (typeof value === 'string') for (const secret of urlSecrets(value)) into.add(secret);
  else if (Array.isArray(value)) for (const item of value) collectUrlCredentials(item, into);
  else if (isMapping(value)) for (const item of Object.values(value)) collectUrlCredentials(item, into);
}
