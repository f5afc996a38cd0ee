// Flags of `npm run bench`: how long each tool measures, which suites run, how many
// interleaved rounds. Bad flags end the bench with exit 2 before anything starts.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseDuration } from '../../src/scenario/units.js';

export interface BenchOptions {
  /** Measured time of each tool run, ms. */
  durationMs: number;
  /** Load sent before measuring (sockcap, autocannon, bare ws loop), ms. */
  warmupMs: number;
  only: 'http' | 'ws' | 'h2' | 'whole' | 'linear' | undefined;
  /** The linearity ladder's largest rung (1,000, 10,000, 100,000 up to this). */
  maxConnections: number;
  rounds: number;
  /**
   * bin.js of another built sockcap checkout (an older commit): its plain echo and plain
   * HTTP run beside this build's in every round, for a before-and-after of the same paths.
   */
  baselineCli: string | undefined;
}

export const usage = `usage: npm run bench -- [--duration 10s] [--only http|ws|h2|whole|linear] [--max-connections 100000] [--rounds 2] [--baseline DIR]

  --duration  measured time of each tool run (default 10s; e.g. 3s for a smoke run)
  --only      run only the HTTP, the WebSocket, the HTTP/2 (h2c, against h2load) or the whole-process
              (sockcap run with default settings, timed as a process) benchmark, or the linearity
              ladder (memory and CPU per connection and per message at 1k, 10k, 100k connections)
  --max-connections  the linearity ladder's largest rung (default 100000)
  --rounds    interleaved rounds per tool and target (default 2)
  --baseline  another sockcap checkout, built (DIR/dist/src/bin.js): its --workers 1 runs in every
              round of the HTTP and WebSocket benchmarks, beside this build's`;

export class BenchUsageError extends Error {}

export function parseBenchArgs(argv: string[]): BenchOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        duration: { type: 'string', default: '10s' },
        only: { type: 'string' },
        rounds: { type: 'string', default: '2' },
        baseline: { type: 'string' },
        'max-connections': { type: 'string', default: '100000' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new BenchUsageError(error instanceof Error ? error.message : String(error));
  }
  const { values } = parsed;
  if (values.help) return 'help';

  let durationMs: number;
  try {
    durationMs = parseDuration(values.duration);
  } catch {
    throw new BenchUsageError(`--duration: expected a duration like 10s or 2500ms, got "${values.duration}"`);
  }
  if (durationMs < 1000) throw new BenchUsageError(`--duration: at least 1s, got "${values.duration}"`);

  const only = values.only;
  if (only !== undefined && only !== 'http' && only !== 'ws' && only !== 'h2' && only !== 'whole' && only !== 'linear') {
    throw new BenchUsageError(`--only: expected http, ws, h2, whole or linear, got "${only}"`);
  }

  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 20) {
    throw new BenchUsageError(`--rounds: expected a whole number from 1 to 20, got "${values.rounds}"`);
  }
  let baselineCli: string | undefined;
  if (values.baseline !== undefined) {
    baselineCli = path.resolve(values.baseline, 'dist', 'src', 'bin.js');
    if (!existsSync(baselineCli)) {
      throw new BenchUsageError(
        `--baseline: no ${baselineCli}; give a sockcap checkout built with npm ci (git worktree add --detach DIR <commit> && npm ci --prefix DIR)`,
      );
    }
  }
  const maxConnections = Number(values['max-connections']);
  if (!Number.isInteger(maxConnections) || maxConnections < 1000) {
    throw new BenchUsageError(`--max-connections: expected a whole number of at least 1000, got "${values['max-connections']}"`);
  }
  return { durationMs, warmupMs: 1000, only, rounds, baselineCli, maxConnections };
}
