// `sockcap serve --tls`: the certificate the standalone target serves, checked as the
// scenario's server.cert/server.key are, and optionally written out for clients to trust.
import { readFileSync, writeFileSync } from 'node:fs';
import { UsageError, errorMessage } from '../errors.js';
import { Invalid } from '../scenario/parsers.js';
import { pemFile, type PemKind } from '../scenario/pem-file.js';
import { generatedCertificate, type TlsMaterial } from '../target/certificate.js';

export interface ServeTlsArgs {
  tls: boolean;
  cert: string | undefined;
  key: string | undefined;
  'cert-out': string | undefined;
}

export interface ServeTls {
  material: TlsMaterial;
  /** What to tell the user about the certificate, one line. */
  note: string;
}

/** undefined: serve plain http:// and ws://. --cert and --key imply --tls. */
export async function serveTls(args: ServeTlsArgs): Promise<ServeTls | undefined> {
  if ((args.cert === undefined) !== (args.key === undefined)) {
    const [missing, given] = args.cert === undefined ? ['cert', 'key'] : ['key', 'cert'];
    throw new UsageError(`--${missing}: needed too, since --${given} is given`);
  }
  if (!args.tls && args.cert === undefined) {
    if (args['cert-out'] !== undefined) throw new UsageError('--cert-out: needs --tls (it writes the certificate TLS serves)');
    return undefined;
  }
  const { cert, key } = args;
  const given = cert !== undefined && key !== undefined;
  const material = given ? { cert: readFlagFile('--cert', 'certificate', cert), key: readFlagFile('--key', 'private key', key) } : await generatedCertificate();
  const out = args['cert-out'];
  if (out !== undefined) {
    try {
      writeFileSync(out, material.cert);
    } catch (err) {
      throw new UsageError(`--cert-out: cannot write "${out}" (${errorMessage(err)})`);
    }
  }
  const what = given ? `TLS with ${cert}` : 'TLS with a certificate generated for localhost, 127.0.0.1 and ::1';
  const trust = out !== undefined ? `written to ${out}: clients set tls.ca to it` : 'clients must trust it (--cert-out FILE writes it for their tls.ca)';
  return { material, note: `${what}; ${trust}` };
}

function readFlagFile(flag: string, kind: PemKind, file: string): string {
  try {
    return readFileSync(pemFile(kind)(file, []) ?? file, 'utf8');
  } catch (err) {
    if (err instanceof Invalid) throw new UsageError(`${flag}: ${err.problem}`);
    throw err;
  }
}
