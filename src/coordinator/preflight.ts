// Before any load: can the target be reached at all? A wrong port or a stopped server is
// a mistake in the input (exit 2, one line), not a run full of ECONNREFUSED. The same goes
// for TLS: a certificate the run would refuse, or TLS on one side only (tls-preflight.ts).
import { connect, type Socket } from 'node:net';
import { TargetUnreachableError } from '../errors.js';
import { clientTls, isTlsUrl, type ClientTls } from '../protocols/tls-options.js';
import { defaultPort } from '../protocols/target-port.js';
import { defaults } from '../scenario/defaults.js';
import { usesTls } from '../scenario/tls.js';
import type { StepScenario } from '../scenario/types.js';
import { checkBuiltInTls, checkNotTls, checkTlsHandshake } from './tls-preflight.js';

const timeoutMs = 3000;

/** Every distinct target (and TLS setup) of the steps, each checked once. */
export async function checkSteps(steps: readonly StepScenario[]): Promise<void> {
  const checked = new Set<string>();
  for (const step of steps) {
    const key = JSON.stringify([step.target, usesTls(step) ? [step.server.cert, step.tls] : null, step.sources[0]]);
    if (checked.has(key)) continue;
    checked.add(key);
    // From the first source address, as the clients will connect: a target that only lets those through is reachable.
    if (step.target !== undefined) await checkReachable(step.target, usesTls(step) ? clientTls(step.tls) : undefined, step.sources[0]);
    else if (step.server.tls) await checkBuiltInTls(step);
  }
}

/**
 * Connects once; over that connection, an https:// or wss:// target gets one TLS handshake
 * with `tls` (the scenario's settings), a plain target a check that it does not speak TLS.
 */
export async function checkReachable(target: string, tls?: ClientTls, localAddress?: string): Promise<void> {
  const url = new URL(target);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const socket = await connectTo(target, host, defaultPort(url), localAddress);
  if (isTlsUrl(url)) await checkTlsHandshake(socket, target, host, tls ?? clientTls(defaults.tls));
  else await checkNotTls(socket, target, host, secureTwin(url));
}

/** The URL with https: or wss: for http: or ws:. */
function secureTwin(url: URL): string {
  const twin = new URL(url.href);
  twin.protocol = url.protocol === 'ws:' ? 'wss:' : 'https:';
  return twin.href;
}

function connectTo(target: string, host: string, port: number, localAddress: string | undefined): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, ...(localAddress ? { localAddress } : {}) });
    const fail = (cause: string): void => {
      socket.destroy();
      reject(new TargetUnreachableError(target, cause, `check that a server listens on ${host}:${port}, or omit \`target\` to use the built-in one`));
    };
    socket.setTimeout(timeoutMs, () => fail(`no answer within ${timeoutMs / 1000} s`));
    socket.once('error', (error: NodeJS.ErrnoException) => fail(error.code ?? error.message));
    socket.once('connect', () => {
      socket.setTimeout(0);
      // From here the TLS socket over it reports errors; this one must not crash on them.
      socket.removeAllListeners('error');
      socket.on('error', () => {});
      resolve(socket);
    });
  });
}
