// `sockcap agent`: runs on the target's host (or as a sidecar sharing its pod's process
// namespace) and serves what sockcap cannot read from afar: /metrics (the process tree's CPU,
// memory and descriptors, the server port's TCP sockets by state, kernel socket memory) and
// /time (this host's clock, so a run can measure its offset). Off the loopback address it
// answers only requests that carry its bearer token.
import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';
import { now } from '../metrics/clock.js';
import { sampleKernel } from '../metrics/kernel-sampler.js';
import { ProcessGroup } from '../metrics/process-sampler.js';
import { matchingProcessTree, processTree } from '../metrics/process-tree.js';
import { exposition } from './exposition.js';
import { tcpStates } from './tcp-states.js';

export interface AgentOptions {
  host: string;
  port: number;
  /** The processes: a pid and its children, or every process whose command contains `match`, with theirs. */
  processes: { pid: number } | { match: string };
  /** The server's port, whose TCP sockets are counted by state. */
  socketPort: number | undefined;
  /** Required on every request when set: `Authorization: Bearer <token>`. */
  token: string | undefined;
  version: string;
}

export interface RunningAgent {
  url: string;
  /** What is measured, in words, for the start line. */
  measuring(): string;
  close(): Promise<void>;
}

/** How often the socket counts are read again; /metrics answers with the latest. */
const socketPeriodMs = 500;

export async function startAgent(options: AgentOptions): Promise<RunningAgent> {
  const { processes } = options;
  const sockets = options.socketPort === undefined ? undefined : await watchSockets(options.socketPort);
  // Found again at each scrape (a master replaces its workers); the agent itself never counts, even as a child of the target.
  const find =
    'pid' in processes ? () => processTree([processes.pid]).filter((pid) => pid !== process.pid) : () => matchingProcessTree(processes.match, process.pid);
  const group = new ProcessGroup(find, false);
  const expected = options.token === undefined ? undefined : Buffer.from(`Bearer ${options.token}`);
  const authorized = (req: http.IncomingMessage): boolean => {
    if (!expected) return true;
    const given = Buffer.from(req.headers.authorization ?? '');
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
  const server = http.createServer((req, res) => {
    req.resume();
    if (!authorized(req)) {
      res.writeHead(401, { 'www-authenticate': 'Bearer realm="sockcap agent"', 'content-type': 'text/plain' });
      res.end('401: this agent wants Authorization: Bearer <its --token>\n');
      return;
    }
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/metrics') {
      const sample = group.sample();
      const body = exposition({
        version: options.version,
        processes: group.processCount,
        process: group.processCount > 0 ? sample : undefined,
        sockets: sockets && options.socketPort !== undefined ? { port: options.socketPort, states: sockets.latest() } : undefined,
        kernel: sampleKernel(),
      });
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' });
      res.end(body);
      return;
    }
    if (req.method === 'GET' && path === '/time') {
      // Read as late as possible: the run takes this as the middle of its round trip.
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ epochMs: now() }));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('sockcap agent serves /metrics and /time\n');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      const address = server.address() as net.AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      resolve({
        url: `http://${host}:${address.port}/metrics`,
        measuring: () => {
          group.sample();
          const which =
            'pid' in processes ? `pid ${processes.pid} and its children` : `processes whose command contains "${processes.match}", with their children`;
          return `${which} (${group.processCount} now)`;
        },
        close: () =>
          new Promise((done) => {
            sockets?.stop();
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

/** Counts the port's sockets over and over in the background, so a scrape never waits for /proc/net/tcp. */
async function watchSockets(port: number): Promise<{ latest(): Record<string, number>; stop(): void }> {
  let latest = await tcpStates(port);
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const next = (): void => {
    timer = setTimeout(() => {
      void tcpStates(port).then((counts) => {
        latest = counts;
        if (!stopped) next();
      });
    }, socketPeriodMs);
  };
  next();
  return {
    latest: () => latest,
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
