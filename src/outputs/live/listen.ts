// The address a live server listens on, as the user typed it (`127.0.0.1:9464`, `[::1]:9464`),
// and listening there: a bad address or a port already taken is the user's to fix, so it is
// one line naming the flag. A server binds that one address only, never every interface.
import type { Server } from 'node:http';
import { isIP } from 'node:net';
import { UsageError } from '../../errors.js';

export interface ListenAddress {
  host: string;
  /** 0 lets the system choose. */
  port: number;
  /** The flag that asked for it and what was typed, for messages. */
  flag: string;
  typed: string;
}

/** `host:port`, `[v6]:port` or (when `portOptional`) a bare host; the host must be an IP address. */
export function parseListenAddress(flag: string, typed: string, portOptional = false): ListenAddress {
  const text = typed.trim();
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(text);
  const host = match?.[1] ?? match?.[2];
  const port = match?.[3] === undefined ? undefined : Number(match[3]);
  const expected = portOptional ? 'an address like 127.0.0.1 or 127.0.0.1:8090' : 'host:port, like 127.0.0.1:9464';
  if (!host || !isIP(host) || (port === undefined && !portOptional) || (port !== undefined && port > 65535)) {
    throw new UsageError(`${flag}: expected ${expected} (an IP address; [::1]:9464 for IPv6), got "${typed}"`);
  }
  return { host, port: port ?? 0, flag, typed: text };
}

export function urlOf(host: string, port: number): string {
  return `http://${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}

/** Listens on the address and resolves with the URL it is reachable at (the chosen port filled in). */
export function listenOn(server: Server, address: ListenAddress): Promise<string> {
  return new Promise((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException): void => {
      const fix = error.code === 'EADDRINUSE' ? 'pick another port or stop what listens there' : 'give an address of this machine';
      reject(new UsageError(`${address.flag} ${address.typed}: cannot listen there (${error.code ?? error.message}): ${fix}`));
    };
    server.once('error', failed);
    server.listen({ host: address.host, port: address.port, exclusive: true }, () => {
      server.off('error', failed);
      const bound = server.address();
      resolve(urlOf(address.host, typeof bound === 'object' && bound ? bound.port : address.port));
    });
  });
}

/** Stops listening and ends every open connection (a dashboard's event stream stays open otherwise). */
export function closeServer(server: Server): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
