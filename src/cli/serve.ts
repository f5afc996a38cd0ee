// `sockcap serve`: run the built-in reference target in this process, for runs from
// another machine or another tool.

import { constants as bufferConstants } from 'node:buffer';
import type { Argv, CommandModule } from 'yargs';
import { UsageError, errorMessage } from '../errors.js';
import { defaults } from '../scenario/defaults.js';
import type { ServerSettings } from '../scenario/types.js';
import { parseDuration, parseRate, parseSize } from '../scenario/units.js';
import type { TlsMaterial } from '../target/certificate.js';
import type { RunningTarget } from '../target/server.js';
import type { TargetStats } from '../results/target-stats.js';
import { serveTls, type ServeTlsArgs } from './serve-tls.js';

/**
 * Unit flags stay raw text: the scenario's parsers read them, and when they are left out
 * the scenario's defaults apply.
 */
export interface ServeArgs extends ServeTlsArgs {
  port: number;
  host: string;
  'response-size': string | undefined;
  'response-delay': string | undefined;
  'keep-alive-timeout': string | undefined;
  'headers-timeout': string | undefined;
  'request-timeout': string | undefined;
  'max-requests-per-socket': number;
  'max-connections': number;
  'event-rate': string | undefined;
  'event-burst': number;
  'long-poll-timeout': string | undefined;
  'event-size': string | undefined;
  http2: boolean;
  'max-concurrent-streams': number;
}

type DurationFlag = 'response-delay' | 'keep-alive-timeout' | 'headers-timeout' | 'request-timeout' | 'long-poll-timeout';

const statsPeriodMs = 10_000;
const serverDefaults = defaults.server;

function builder(yargs: Argv): Argv<ServeArgs> {
  const duration = (describe: string, ms: number) => ({ type: 'string', describe, defaultDescription: ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms` }) as const;
  return yargs.options({
    port: { type: 'number', default: 8080, describe: 'TCP port; 0 picks any free port' },
    host: { type: 'string', default: '127.0.0.1', describe: 'address to listen on' },
    'response-size': {
      type: 'string',
      describe: 'HTTP response body size',
      defaultDescription: `${serverDefaults.responseSize}B`,
    },
    'response-delay': duration('wait before each HTTP response', serverDefaults.responseDelay),
    'keep-alive-timeout': duration('close idle keep-alive sockets after this (Node adds 1s)', serverDefaults.keepAliveTimeout),
    'headers-timeout': duration('time allowed to receive request headers', serverDefaults.headersTimeout),
    'request-timeout': duration('time allowed to receive a whole request; 0 disables', serverDefaults.requestTimeout),
    'max-requests-per-socket': {
      type: 'number',
      default: serverDefaults.maxRequestsPerSocket,
      describe: 'requests before a socket is closed; 0 = unlimited',
    },
    'max-connections': {
      type: 'number',
      default: serverDefaults.maxConnections,
      describe: 'open connections before new ones are dropped; 0 = unlimited',
    },
    'event-rate': {
      type: 'string',
      describe: 'events per second published at /poll, /longpoll and WebSocket /events; 0 = none',
      defaultDescription: `${serverDefaults.eventRate}/s`,
    },
    'event-burst': { type: 'number', default: serverDefaults.eventBurst, describe: 'events published together at each publish' },
    'long-poll-timeout': duration('how long /longpoll holds a request with nothing new', serverDefaults.longPollTimeout),
    'event-size': { type: 'string', describe: "bytes of filler in each event's data field", defaultDescription: `${serverDefaults.eventSize}B` },
    http2: {
      type: 'boolean',
      default: serverDefaults.http2,
      describe: 'speak HTTP/2 only: h2 by ALPN with --tls, else h2c (prior knowledge); no WebSocket or event stream',
    },
    'max-concurrent-streams': {
      type: 'number',
      default: serverDefaults.maxConcurrentStreams,
      describe: 'SETTINGS_MAX_CONCURRENT_STREAMS announced with --http2',
    },
    tls: { type: 'boolean', default: false, describe: 'serve https:// and wss:// (a certificate for localhost/127.0.0.1 is generated unless --cert is given)' },
    cert: { type: 'string', describe: 'PEM certificate (chain) to serve; implies --tls, needs --key' },
    key: { type: 'string', describe: 'PEM private key of --cert' },
    'cert-out': { type: 'string', describe: "write the served certificate to this file, for clients' tls.ca" },
  });
}

export const serveCommand: CommandModule<object, ServeArgs> = {
  command: 'serve',
  describe: 'Run the built-in target: HTTP responses of a set size and delay, WebSocket echo at /ws',
  builder,
  handler: async (args) => {
    const settings = serverSettings(args);
    const port = portFlag(args.port);
    const tls = await serveTls(args);
    const target = await listen(args.host, port, settings, tls?.material);
    const speaks = settings.http2 ? (tls ? 'HTTP/2 by ALPN h2' : 'HTTP/2 h2c, prior knowledge') : 'websocket echo at /ws';
    console.log(`sockcap target listening on ${target.url} (${speaks})`);
    if (settings.eventRate > 0) {
      console.log(`event stream: ${settings.eventRate}/s at GET /poll?since=N, GET /longpoll?since=N and WebSocket /events`);
    }
    if (tls) console.log(tls.note);

    const ticker = process.stdout.isTTY ? setInterval(() => console.log(formatStats(target.stats())), statsPeriodMs) : undefined;
    await signalled();
    clearInterval(ticker);
    await target.close();
    console.log(`sockcap target stopped: ${formatStats(target.stats())}`);
  },
};

function serverSettings(args: ServeArgs): ServerSettings {
  const duration = (flag: DurationFlag, example: string, fallback: number): number =>
    unitFlag(`--${flag}`, args[flag], parseDuration, `a duration like ${example}`, fallback);
  const responseSize = unitFlag('--response-size', args['response-size'], parseSize, 'a size like 1KiB', serverDefaults.responseSize);
  if (responseSize > bufferConstants.MAX_LENGTH) {
    const got = args['response-size'];
    throw new UsageError(`--response-size: at most ${bufferConstants.MAX_LENGTH} bytes, got "${got}"`);
  }
  return {
    // Settings serve has no flag for (TLS, processes) keep their scenario defaults.
    ...serverDefaults,
    responseSize,
    responseDelay: duration('response-delay', '250ms', serverDefaults.responseDelay),
    keepAliveTimeout: duration('keep-alive-timeout', '5s', serverDefaults.keepAliveTimeout),
    headersTimeout: duration('headers-timeout', '60s', serverDefaults.headersTimeout),
    requestTimeout: duration('request-timeout', '300s', serverDefaults.requestTimeout),
    maxRequestsPerSocket: countFlag('--max-requests-per-socket', args['max-requests-per-socket']),
    maxConnections: countFlag('--max-connections', args['max-connections']),
    eventRate: unitFlag('--event-rate', args['event-rate'], parseRate, 'a rate like 10/s', serverDefaults.eventRate),
    eventBurst: burstFlag(args['event-burst']),
    longPollTimeout: duration('long-poll-timeout', '30s', serverDefaults.longPollTimeout),
    eventSize: unitFlag('--event-size', args['event-size'], parseSize, 'a size like 32B', serverDefaults.eventSize),
    http2: args.http2,
    maxConcurrentStreams: streamsFlag(args['max-concurrent-streams']),
  };
}

function unitFlag(flag: string, value: string | undefined, parse: (value: unknown) => number, expected: string, fallback: number): number {
  if (value === undefined) return fallback;
  try {
    // The parsers take a bare 0 only as a number ("0 what?" has one answer); flags arrive as text.
    return parse(value.trim() === '0' ? 0 : value);
  } catch {
    throw new UsageError(`${flag}: expected ${expected}, got "${value}"`);
  }
}

function countFlag(flag: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new UsageError(`${flag}: expected a whole number, 0 for unlimited, got "${value}"`);
  }
  return value;
}

function burstFlag(value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new UsageError(`--event-burst: expected a whole number of at least 1, got "${value}"`);
  }
  return value;
}

function streamsFlag(value: number): number {
  if (!Number.isSafeInteger(value) || value < 1 || value > 2 ** 31 - 1) {
    throw new UsageError(`--max-concurrent-streams: expected a whole number from 1 to ${2 ** 31 - 1}, got "${value}"`);
  }
  return value;
}

function portFlag(value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 65_535) {
    throw new UsageError(`--port: expected a port from 0 to 65535, got "${value}"`);
  }
  return value;
}

async function listen(host: string, port: number, settings: ServerSettings, tls: TlsMaterial | undefined): Promise<RunningTarget> {
  // Loaded here, not at start-up: every other verb (run above all) would pay for the
  // target's HTTP, WebSocket and Socket.IO servers it never uses.
  const { startTarget } = await import('../target/server.js');
  try {
    return await startTarget({ host, port, settings, tls });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new UsageError(`port ${port} is in use: pick another with --port, or --port 0 for any free port`);
    }
    if (code === 'EACCES') {
      throw new UsageError(`no permission to listen on port ${port}: pick one above 1023 with --port`);
    }
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
      throw new UsageError(`--host: cannot listen on "${host}" (${errorMessage(err)})`);
    }
    throw err;
  }
}

/** Resolves on the first SIGINT or SIGTERM; a second one then gets Node's default handling. */
/** Resolves at the first SIGINT or SIGTERM: a server command then closes and reports. */
export function signalled(): Promise<void> {
  return new Promise((resolve) => {
    const onSignal = (): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

function formatStats(stats: TargetStats): string {
  return [
    `requests ${stats.requests}`,
    `connections open ${stats.connectionsOpen}`,
    `accepted ${stats.connectionsAccepted}`,
    `rejected ${stats.connectionsRejected}`,
    `websockets ${stats.webSocketsAccepted}`,
    `messages ${stats.webSocketMessages}`,
    `received ${formatBytes(stats.bytesReceived)}`,
    `sent ${formatBytes(stats.bytesSent)}`,
  ].join(', ');
}

function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}
