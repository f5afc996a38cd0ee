// The client side of TLS as a scenario's `tls` section asks for it, built once per worker
// (files read once) and shared by every connection of that worker. The preflight builds the
// same options, so a handshake that passes there passes in the run.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { createSecureContext, rootCertificates, type ConnectionOptions } from 'node:tls';
import type { TlsSettings } from '../scenario/types.js';

export interface ClientTls {
  /** Options every TLS connection of the run starts from (no host, port or session). */
  options: ConnectionOptions;
  /** Offer the connection's previous session when it reconnects. */
  resume: boolean;
}

/** https: and wss: targets speak TLS; http: and ws: do not. */
export function isTlsUrl(url: URL | string): boolean {
  const protocol = typeof url === 'string' ? new URL(url).protocol : url.protocol;
  return protocol === 'https:' || protocol === 'wss:';
}

/**
 * `trustedCa` is the built-in target's own certificate: the generator trusts it without the
 * user having to set `tls.ca` or `tls.insecure`. Node's bundled roots and NODE_EXTRA_CA_CERTS
 * stay trusted, since `ca` replaces what Node trusts by default. Throws when a file cannot be
 * read: validation read it already.
 */
export function clientTls(settings: TlsSettings, trustedCa?: string): ClientTls {
  const extra = [settings.ca === undefined ? undefined : readFileSync(settings.ca, 'utf8'), trustedCa].filter((pem): pem is string => pem !== undefined);
  // One context for every connection: Node would otherwise build one (parsing every trusted
  // root) per handshake, which costs the generator more than the handshake itself.
  const secureContext = createSecureContext({
    ca: extra.length > 0 ? [...rootCertificates, ...nodeExtraCaCerts(), ...extra] : undefined,
    cert: settings.cert === undefined ? undefined : readFileSync(settings.cert, 'utf8'),
    key: settings.key === undefined ? undefined : readFileSync(settings.key, 'utf8'),
  });
  const options: ConnectionOptions = {
    secureContext,
    rejectUnauthorized: !settings.insecure,
    // The two HTTP/1.1 uses (requests and WebSocket upgrades) announce it as browsers do.
    ALPNProtocols: ['http/1.1'],
  };
  if (settings.servername !== undefined) options.servername = settings.servername;
  return { options, resume: settings.resume };
}

/** What Node itself adds from NODE_EXTRA_CA_CERTS (it warns, once, when the file is unreadable). */
function nodeExtraCaCerts(): string[] {
  const file = process.env.NODE_EXTRA_CA_CERTS;
  if (!file) return [];
  try {
    return [readFileSync(file, 'utf8')];
  } catch {
    return [];
  }
}

/**
 * Options for one connection to `host`. SNI carries names only (RFC 6066), so an IP target
 * sends none, but the certificate is still checked against the IP; `host` must be given
 * whenever a socket is passed in, or Node checks the certificate against "localhost".
 */
export function connectionOptions(tls: ClientTls, host: string, session: Buffer | undefined): ConnectionOptions {
  const options: ConnectionOptions = { ...tls.options, host };
  if (options.servername === undefined && isIP(host) === 0) options.servername = host;
  if (session !== undefined) options.session = session;
  return options;
}
