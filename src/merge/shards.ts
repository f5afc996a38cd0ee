// Reads the results folders of a sharded run and checks they belong together: one run
// group, one scenario, one shard count, every index once. Mismatched runs are always
// refused; missing or duplicate shards only without --allow-partial.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import type { Manifest } from '../results/manifest.js';
import { readIntervalLog, type IntervalRecord } from '../results/interval-log.js';
import { readResults, type StoredRun } from '../results/read-results.js';

export interface ShardResults {
  dir: string;
  run: StoredRun;
  manifest: Manifest;
  intervals: IntervalRecord[];
}

export interface ShardSet {
  shards: ShardResults[];
  count: number;
  missing: number[];
  duplicates: number[];
}

function readManifest(dir: string): Manifest {
  const file = join(dir, 'run.json');
  const document = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { manifest?: Manifest }) : {};
  if (!document.manifest) throw new UsageError(`${dir}: run.json has no manifest (written by a sockcap older than sharding); run the shards again`);
  return document.manifest;
}

export function readShards(dirs: readonly string[], allowPartial: boolean): ShardSet {
  if (dirs.length === 0) throw new UsageError('merge: give the results folders of the shards to merge');
  const shards = dirs.map((dir) => ({ dir, run: readResults(dir), manifest: readManifest(dir), intervals: readIntervalLog(dir) }));
  const first = shards[0]!;
  for (const shard of shards.slice(1)) {
    const differs = (what: string, a: unknown, b: unknown): void => {
      if (a === b) return;
      throw new UsageError(`merge: ${shard.dir} is not a shard of the same run as ${first.dir}: ${what} differ (${String(a)} vs ${String(b)})`);
    };
    differs('run groups', first.manifest.runGroup, shard.manifest.runGroup);
    differs('scenarios (hash)', first.manifest.scenarioHash.slice(0, 12), shard.manifest.scenarioHash.slice(0, 12));
    differs('shard counts', first.manifest.shard.count, shard.manifest.shard.count);
  }
  const count = first.manifest.shard.count;
  const seen = new Map<number, number>();
  for (const shard of shards) seen.set(shard.manifest.shard.index, (seen.get(shard.manifest.shard.index) ?? 0) + 1);
  const missing = Array.from({ length: count }, (_, index) => index).filter((index) => !seen.has(index));
  const duplicates = [...seen.entries()].filter(([, times]) => times > 1).map(([index]) => index);
  if ((missing.length > 0 || duplicates.length > 0) && !allowPartial) {
    const parts = [
      missing.length > 0 ? `missing shard${missing.length === 1 ? '' : 's'} ${missing.map((i) => `${i + 1}/${count}`).join(', ')}` : '',
      duplicates.length > 0 ? `duplicate shard${duplicates.length === 1 ? '' : 's'} ${duplicates.map((i) => `${i + 1}/${count}`).join(', ')}` : '',
    ].filter(Boolean);
    throw new UsageError(`merge: ${parts.join('; ')} (add --allow-partial to merge what is there and mark the result partial)`);
  }
  // A duplicate shard would count its connections twice: keep the first of each index.
  const unique = shards.filter((shard, position) => shards.findIndex((other) => other.manifest.shard.index === shard.manifest.shard.index) === position);
  return { shards: unique, count, missing, duplicates };
}
