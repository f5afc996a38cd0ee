// Before any load, one TLS handshake as the run will do it: an untrusted or expired
// certificate, a name the certificate does not carry, or TLS spoken to a plain port (and the
// other way round) would otherwise fail every connection of the run. Each is named as in
// errors.csv and comes with its fix (exit 2, one line).
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, createServer as createTlsServer, type PeerCertificate, type TLSSocket } from 'node:tls';
import { TargetTlsError, TargetUnreachableError, type SockcapError } from '../errors.js';
import { errorCode } from '../protocols/error-code.js';
import { clientTls, connectionOptions, type ClientTls } from '../protocols/tls-options.js';
import type { StepScenario } from '../scenario/types.js';
import { serverCertificate } from '../target/certificate.js';

const handshakeTimeoutMs = 3000;
/** A TLS server answers a ClientHello within a round trip; a plain one may never answer. */
const probeTimeoutMs = 500;
/** In TLS 1.3 the server accepts (session ticket) or refuses (alert) the client after the client is done. */
const verdictWaitMs = 500;

const insecureFix = 'or tls.insecure: true for a test server';

/** What `target` is when the built-in target's certificate is checked. */
const builtIn = 'built-in';

function tlsError(target: string, code: string, cause: string, fix: string): TargetTlsError {
  return new TargetTlsError(target === builtIn ? 'the built-in target' : `target ${target}`, code, cause, fix);
}

/**
 * One handshake over the connected `socket` with the run's TLS settings; verification is
 * done here rather than by Node so that a failure can say what the certificate holds.
 */
export function checkTlsHandshake(socket: Socket, target: string, host: string, tls: ClientTls): Promise<void> {
  const options = connectionOptions(tls, host, undefined);
  const verify = options.rejectUnauthorized !== false;
  const name = options.servername ?? host;
  return new Promise((resolve, reject) => {
    const secure = tlsConnect({ ...options, rejectUnauthorized: false, socket });
    let finished = false;
    const finish = (error?: SockcapError): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      secure.destroy();
      if (error) reject(error);
      else resolve();
    };
    const silent = `no TLS answer within ${handshakeTimeoutMs / 1000} s`;
    const timer = setTimeout(
      () => finish(new TargetUnreachableError(target, silent, 'check that the port speaks TLS, or use http:// or ws:// for a plain one')),
      handshakeTimeoutMs,
    );
    secure.once('error', (error: Error) => finish(handshakeFailure(target, error, host)));
    secure.once('secureConnect', () => {
      const problem = verify ? verificationFailure(secure, target, name) : undefined;
      if (problem || secure.getProtocol() !== 'TLSv1.3') {
        finish(problem);
        return;
      }
      secure.once('session', () => finish());
      setTimeout(() => finish(), verdictWaitMs).unref();
    });
  });
}

function verificationFailure(secure: TLSSocket, target: string, name: string): SockcapError | undefined {
  if (secure.authorized) return undefined;
  // Node documents an Error but sets the OpenSSL code as a string.
  const reason = secure.authorizationError as unknown as string;
  const code = errorCode({ code: reason });
  const cert = secure.getPeerCertificate();
  const subject = describe(cert);
  switch (code) {
    case 'tls_untrusted':
      return tlsError(
        target,
        code,
        `${subject}, issued by ${String(cert.issuer?.CN ?? 'an unnamed CA')}: ${reason}`,
        `set tls.ca to the PEM file of the CA that signed it, ${insecureFix}`,
      );
    case 'tls_expired':
      return tlsError(target, code, `${subject} expired on ${cert.valid_to}`, `renew the target's certificate, ${insecureFix}`);
    case 'tls_not_yet_valid':
      return tlsError(target, code, `${subject} is valid only from ${cert.valid_from}`, 'check the clocks of both machines');
    case 'tls_hostname':
      return tlsError(
        target,
        code,
        `${subject} is for ${cert.subjectaltname ?? 'no alternative names'}, not ${name}`,
        'connect by a name the certificate carries, or set tls.servername to one of them',
      );
    default:
      return tlsError(target, code, `${subject}: ${reason}`, `fix the target's certificate, ${insecureFix}`);
  }
}

function handshakeFailure(target: string, error: Error, host: string): SockcapError {
  const code = errorCode(error);
  if (code === 'tls_protocol_mismatch') {
    return tlsError(target, code, 'the server answered in plain text', 'use http:// or ws:// for a plain port, or the port that speaks TLS');
  }
  if (code === 'tls_client_certificate') {
    return tlsError(target, code, 'the server wants a client certificate it trusts', 'set tls.cert and tls.key to one it accepts');
  }
  const cause = code === 'ECONNRESET' ? 'the server closed the connection during the TLS handshake' : `${code}: ${error.message}`;
  return new TargetUnreachableError(target, cause, `check that ${host} serves TLS on this port, or use http:// or ws:// for a plain one`);
}

function describe(cert: PeerCertificate): string {
  return cert.subject?.CN ? `the certificate of "${String(cert.subject.CN)}"` : 'the certificate';
}

/**
 * Sends a ClientHello to a plain target: a TLS server answers with its own hello (or an
 * alert); a plain HTTP server answers 400 or closes; anything else gets `probeTimeoutMs`.
 * Nothing reaches a plain server's request handler, so its request counts stay exact.
 */
export function checkNotTls(socket: Socket, target: string, host: string, tlsUrl: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const servername = isIP(host) === 0 ? host : undefined;
    const probe = tlsConnect({ socket, host, ...(servername ? { servername } : {}), rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] });
    let finished = false;
    const finish = (speaksTls: boolean): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      probe.destroy();
      if (!speaksTls) resolve();
      else reject(tlsError(target, 'tls_protocol_mismatch', 'the port speaks TLS', `use ${tlsUrl}`));
    };
    const timer = setTimeout(() => finish(false), probeTimeoutMs);
    probe.once('secureConnect', () => finish(true));
    // An alert is TLS too (the server wanted something of the client); plain bytes are not.
    probe.once('error', (error: NodeJS.ErrnoException) => finish(/^ERR_SSL_.*ALERT/.test(error.code ?? '')));
  });
}

/**
 * The built-in target's certificate checked against the step's TLS settings (a user's
 * certificate signed by a CA not in tls.ca, a name it lacks), on a throwaway server in this
 * process, so the target's own counts start at zero.
 */
export async function checkBuiltInTls(step: StepScenario): Promise<void> {
  const material = await serverCertificate(step.server);
  const server = createTlsServer({ cert: material.cert, key: material.key });
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => sockets.add(socket));
  try {
    const socket = netConnect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
    await checkTlsHandshake(socket, builtIn, '127.0.0.1', clientTls(step.tls, material.cert));
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
}
