// The certificate the built-in target serves with `server.tls: true`: the user's own
// (`server.cert`, `server.key`), or one generated at start for 127.0.0.1, ::1 and localhost.
// Node has no X.509 builder, so `selfsigned` (WebCrypto, no openssl binary) makes it. It is
// generated once per process and kept in memory only: every step of a run, and the preflight,
// see the same certificate, which the generator then trusts by itself.
import { readFileSync } from 'node:fs';
import type { ServerSettings } from '../scenario/types.js';

export interface TlsMaterial {
  /** PEM certificate (chain); for a generated one, also what the generator trusts. */
  cert: string;
  /** PEM private key. */
  key: string;
}

// Valid for a year, from an hour ago: the hour absorbs clock skew between machines.
const validFromMs = -3_600_000;
const validForMs = 365 * 86_400_000;

let generated: Promise<TlsMaterial> | undefined;

/**
 * RSA 2048 with SHA-256, what most public certificates still are, so the handshake cost the
 * built-in target shows is the common one, not the cheaper ECDSA one.
 */
export function generatedCertificate(): Promise<TlsMaterial> {
  generated ??= generate();
  return generated;
}

async function generate(): Promise<TlsMaterial> {
  // Loaded only when asked for: it takes a third of a second, which plain runs need not pay.
  const selfsigned = await import('selfsigned');
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'sockcap built-in target' }], {
    keyType: 'rsa',
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(Date.now() + validFromMs),
    notAfterDate: new Date(Date.now() + validForMs),
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/** The user's certificate when `server.cert` is set (validation checked both files), else the generated one. */
export function serverCertificate(settings: ServerSettings): Promise<TlsMaterial> {
  if (settings.cert !== undefined && settings.key !== undefined) {
    return Promise.resolve({ cert: readFileSync(settings.cert, 'utf8'), key: readFileSync(settings.key, 'utf8') });
  }
  return generatedCertificate();
}
