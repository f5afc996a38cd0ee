// `sockcap probe <url>`: find a target's keep-alive idle timeout, its requests-per-connection
// limit, whether it honours `Connection: close`, or (ws:// URLs) when it drops a silent
// WebSocket. One line per finding, or --json for scripts.
import type { Argv, CommandModule } from 'yargs';
import { errorMessage, RunBrokenError, SockcapError, UsageError } from '../errors.js';
import { findingLine, probe } from '../probe/probe.js';
import type { ProbeOptions, Finding } from '../probe/finding.js';
import { parseDuration, UnitError } from '../scenario/units.js';

export interface ProbeArgs {
  url: string;
  'max-idle': string;
  resolution: string;
  'max-requests': number;
  timeout: string;
  insecure: boolean;
  json: boolean;
}

export const probeCommand: CommandModule<object, ProbeArgs> = {
  command: 'probe <url>',
  describe: "Find a target's keep-alive idle timeout, max requests per connection, Connection: close handling, or WebSocket idle drop",
  builder: (yargs: Argv) =>
    yargs
      .positional('url', { type: 'string', demandOption: true, describe: 'an http://, https://, ws:// or wss:// URL' })
      .option('max-idle', { type: 'string', default: '60s', describe: 'longest idle time to try; bounds how long probing takes' })
      .option('resolution', { type: 'string', default: '100ms', describe: 'how precisely to find the idle timeout' })
      .option('max-requests', { type: 'number', default: 1000, describe: 'most requests to send on one connection looking for its limit' })
      .option('timeout', { type: 'string', default: '10s', describe: 'how long one request or handshake may take' })
      .option('insecure', { type: 'boolean', default: false, describe: 'accept any TLS certificate (test servers only)' })
      .option('json', { type: 'boolean', default: false, describe: 'print the findings as JSON' })
      .example('$0 probe http://127.0.0.1:8080/', 'idle timeout, max requests per connection, Connection: close')
      .example('$0 probe ws://127.0.0.1:8080/ws --max-idle 120s', 'when a silent WebSocket is dropped'),
  handler: async (args) => {
    const url = probeUrl(args.url);
    const options = probeOptions(args);
    const findings = await probing(url.href, () => probe(url, options));
    if (args.json) {
      process.stdout.write(`${JSON.stringify({ target: url.href, options, findings }, null, 2)}\n`);
      return;
    }
    for (const finding of findings) process.stdout.write(`${findingLine(finding)}\n`);
  },
};

/**
 * A target that answers, then misbehaves (no answer in time, garbage, a reset mid-response)
 * ends the probe with one line: such errors carry a code (ECONNRESET, UND_ERR_SOCKET, ...).
 * Anything else is a bug in sockcap and reaches bin.ts whole.
 */
export async function probing<T extends Finding | Finding[]>(target: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof SockcapError) throw error;
    if (error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string')
      throw new RunBrokenError(`probe ${target}: ${errorMessage(error)}`);
    throw error;
  }
}

export function probeUrl(text: string): URL {
  if (!URL.canParse(text) || !/^(https?|wss?):$/.test(new URL(text).protocol)) {
    throw new UsageError(`probe: expected an http://, https://, ws:// or wss:// URL, got "${text}"`);
  }
  return new URL(text);
}

export function probeOptions(args: Pick<ProbeArgs, 'max-idle' | 'resolution' | 'max-requests' | 'timeout' | 'insecure'>): ProbeOptions {
  const maxIdleMs = durationFlag('--max-idle', args['max-idle'], '60s');
  const resolutionMs = durationFlag('--resolution', args.resolution, '100ms');
  const timeoutMs = durationFlag('--timeout', args.timeout, '10s');
  if (resolutionMs >= maxIdleMs) throw new UsageError(`--resolution: expected less than --max-idle (${args['max-idle']}), got "${args.resolution}"`);
  if (!Number.isInteger(args['max-requests']) || args['max-requests'] < 1) {
    throw new UsageError(`--max-requests: expected a whole number of at least 1, got "${args['max-requests']}"`);
  }
  return { maxIdleMs, resolutionMs, maxRequests: args['max-requests'], timeoutMs, insecure: args.insecure };
}

function durationFlag(flag: string, text: string, example: string): number {
  try {
    const ms = parseDuration(text);
    if (ms > 0) return ms;
  } catch (error) {
    if (!(error instanceof UnitError)) throw error;
  }
  throw new UsageError(`${flag}: expected a duration above 0 like ${example}, got "${text}"`);
}
