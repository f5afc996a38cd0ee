// Parsers for fields that name PEM files (tls.ca, tls.cert, server.key, ...). The file is read
// once at load so a wrong path or a file of the wrong kind is one line before any load, not
// thousands of failed handshakes; the scenario keeps the absolute path, never the contents,
// so no private key ends up in run.json.

import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../errors.js';
import { Invalid, parser, reject, type Parser } from './parsers.js';
import type { PathSegment } from './raw.js';

export type PemKind = 'certificate' | 'private key';

const examples: Record<PemKind, string> = {
  certificate: 'a PEM file starting with -----BEGIN CERTIFICATE-----',
  'private key': 'an unencrypted PEM file starting with -----BEGIN PRIVATE KEY----- (or RSA/EC PRIVATE KEY)',
};

/** Relative paths are taken from the directory sockcap runs in, as a shell would. */
export function pemFile(kind: PemKind): Parser<string | undefined> {
  return parser({ type: 'string', pattern: '\\S', description: `the path of ${examples[kind]}` }, (value, at) => {
    if (typeof value !== 'string' || value.trim() === '') reject(at, `expected the path of ${examples[kind]}`, value);
    const file = path.resolve(value);
    checkPem(kind, readPem(file, value, at), value, at);
    return file;
  });
}

function readPem(file: string, given: string, at: PathSegment[]): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory' : errorMessage(err);
    throw new Invalid(at, `cannot read "${given}" (${why}${file === given ? '' : `: ${file}`})`);
  }
}

// OpenSSL's own reasons (`error:1E08010C:DECODER routines::unsupported`) mean nothing to a user.
function pemProblem(kind: PemKind, text: string, err: unknown): string {
  if (kind === 'private key') return text.includes('ENCRYPTED') ? 'it is encrypted' : 'no private key in it';
  return err instanceof Error && err.message === 'no certificate in it' ? err.message : 'the certificate in it cannot be read';
}

function checkPem(kind: PemKind, text: string, given: string, at: PathSegment[]): void {
  try {
    if (kind === 'certificate') {
      if (!text.includes('-----BEGIN CERTIFICATE-----')) throw new Error('no certificate in it');
      new X509Certificate(text);
    } else {
      createPrivateKey(text);
    }
  } catch (err) {
    throw new Invalid(at, `expected ${examples[kind]}, but "${given}" is not one (${pemProblem(kind, text, err)})`);
  }
}
