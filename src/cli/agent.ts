// `sockcap agent`: serve a process tree's CPU, memory and descriptors, a port's TCP sockets
// by state and the kernel's socket memory in Prometheus text, for `sockcap run
// --target-metrics` (and Prometheus) to scrape from another host. Off loopback it needs a token.
import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import type { Argv, CommandModule } from 'yargs';
import { errorMessage, UsageError } from '../errors.js';
import { startAgent, type RunningAgent, type AgentOptions } from '../agent/agent.js';
import { version } from '../version.js';
import { signalled } from './serve.js';

export interface AgentArgs {
  pid?: number;
  match?: string;
  port?: number;
  listen: string;
  token?: string;
}

const defaultListen = '127.0.0.1:9465';

function listenAddress(text: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(text.trim());
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (host === undefined || !Number.isInteger(port) || port > 65_535) {
    throw new UsageError(`--listen: expected host:port like ${defaultListen} or 0.0.0.0:9465, got "${text}"`);
  }
  return { host, port };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

function options(args: AgentArgs): AgentOptions {
  if ((args.pid === undefined) === (args.match === undefined)) {
    throw new UsageError('sockcap agent: give --pid PID or --match NAME (the processes to measure), one of them');
  }
  if (args.pid !== undefined && (!Number.isInteger(args.pid) || args.pid <= 0 || !existsSync(`/proc/${args.pid}`))) {
    throw new UsageError(`--pid: no process ${args.pid} on this host (is the agent in the target's pid namespace? shareProcessNamespace: true in a pod)`);
  }
  if (args.match !== undefined && args.match.trim() === '') throw new UsageError('--match: expected part of a command name, like nginx');
  if (args.port !== undefined && (!Number.isInteger(args.port) || args.port <= 0 || args.port > 65_535)) {
    throw new UsageError(`--port: expected the server's TCP port, 1 to 65535, got "${args.port}"`);
  }
  const { host, port } = listenAddress(args.listen);
  const token = args.token ?? process.env.SOCKCAP_AGENT_TOKEN;
  if (!isLoopback(host) && (token === undefined || token === '')) {
    throw new UsageError(
      `--listen ${args.listen} is reachable from other hosts: give --token (or SOCKCAP_AGENT_TOKEN), a bearer token the run sends with --target-metrics-token, or listen on 127.0.0.1`,
    );
  }
  return {
    host,
    port,
    processes: args.pid !== undefined ? { pid: args.pid } : { match: args.match!.trim() },
    socketPort: args.port,
    token: token === '' ? undefined : token,
    version,
  };
}

async function listen(settings: AgentOptions): Promise<RunningAgent> {
  try {
    return await startAgent(settings);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new UsageError(`--listen: port ${settings.port} is in use: pick another`);
    throw new UsageError(`--listen: cannot listen on ${settings.host}:${settings.port} (${errorMessage(error)})`);
  }
}

export const agentCommand: CommandModule<object, AgentArgs> = {
  command: 'agent',
  describe: "Serve a target's process and socket figures in Prometheus text, for sockcap run --target-metrics",
  builder: (yargs: Argv) =>
    yargs
      .option('pid', { type: 'number', describe: 'measure this process and every process under it' })
      .option('match', { type: 'string', describe: 'measure every process whose command contains this, and their children' })
      .option('port', { type: 'number', describe: "the server's TCP port: its sockets are counted by state" })
      .option('listen', { type: 'string', default: defaultListen, describe: 'address and port to serve /metrics and /time on' })
      .option('token', { type: 'string', describe: 'bearer token every request must carry; required off loopback (default $SOCKCAP_AGENT_TOKEN)' })
      .example('$0 agent --match nginx --port 443', 'nginx master and workers, and port 443, on 127.0.0.1:9465')
      .example('$0 agent --pid 812 --port 8080 --listen 0.0.0.0:9465 --token "$TOKEN"', 'reachable from the generator host, with a token'),
  handler: async (args) => {
    const settings = options(args);
    const agent = await listen(settings);
    const access = settings.token === undefined ? 'loopback only, no token' : 'requests without "Authorization: Bearer <token>" are refused (401)';
    const sockets = settings.socketPort === undefined ? '' : `, TCP sockets of port ${settings.socketPort}`;
    console.log(`sockcap agent listening on ${agent.url} (and /time): ${agent.measuring()}${sockets}; ${access}`);
    await signalled();
    await agent.close();
  },
};
