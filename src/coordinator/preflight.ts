// Before any load: can the target be reached at all? A wrong port or a stopped server is
// a mistake in the input (exit 2, one line), not a run full of ECONNREFUSED.
import { connect } from 'node:net';
import { TargetUnreachableError } from '../errors.js';

const timeoutMs = 3000;

export function defaultPort(url: URL): number {
  if (url.port) return Number(url.port);
  return url.protocol === 'https:' || url.protocol === 'wss:' ? 443 : 80;
}

export function checkReachable(target: string): Promise<void> {
  const url = new URL(target);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = defaultPort(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const fail = (cause: string): void => {
      socket.destroy();
      reject(
        new TargetUnreachableError(
          target,
          cause,
          `check that a server listens on ${host}:${port}, or omit \`target\` to use the built-in one`,
        ),
      );
    };
    socket.setTimeout(timeoutMs, () => fail(`no answer within ${timeoutMs / 1000} s`));
    socket.once('error', (error: NodeJS.ErrnoException) => fail(error.code ?? error.message));
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
  });
}
