// `--shard i/n` (or Kubernetes' JOB_COMPLETION_INDEX with SHARD_COUNT) and `--start-at`.
import { UsageError } from '../errors.js';
import type { Shard } from '../results/shard.js';

/** Shards are numbered from 1 on the command line (`--shard 1/4`), from 0 in Kubernetes' index. */
export function parseShard(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): Shard {
  if (flag !== undefined) {
    const match = /^(\d+)\/(\d+)$/.exec(flag.trim());
    const index = Number(match?.[1]);
    const count = Number(match?.[2]);
    if (!match || count < 1 || index < 1 || index > count) {
      throw new UsageError(`--shard: expected i/n with 1 <= i <= n, like 2/8, got "${flag}"`);
    }
    return { index: index - 1, count };
  }
  const index = env.JOB_COMPLETION_INDEX;
  const count = env.SHARD_COUNT;
  if (index === undefined && count === undefined) return { index: 0, count: 1 };
  if (index === undefined || count === undefined || !/^\d+$/.test(index) || !/^\d+$/.test(count) || Number(index) >= Number(count)) {
    throw new UsageError(`JOB_COMPLETION_INDEX=${index ?? '(unset)'} and SHARD_COUNT=${count ?? '(unset)'}: expected both, with 0 <= index < count`);
  }
  return { index: Number(index), count: Number(count) };
}

/**
 * An ISO time (2026-11-28T10:00:00Z) or +<seconds> from now; undefined: start as soon as
 * ready. A time already past is kept: a shard that starts late (a pod scheduled late) still
 * belongs to the run, and the step decides how to catch up.
 */
export function parseStartAt(flag: string | undefined, nowMs = Date.now()): number | undefined {
  if (flag === undefined) return undefined;
  const relative = /^\+(\d+(?:\.\d+)?)s?$/.exec(flag.trim());
  const at = relative ? nowMs + Number(relative[1]) * 1000 : Date.parse(flag);
  if (!Number.isFinite(at)) throw new UsageError(`--start-at: expected an ISO time like 2026-11-28T10:00:00Z or +30s, got "${flag}"`);
  return at;
}
