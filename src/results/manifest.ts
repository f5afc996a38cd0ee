// What ties the shards of one run together: the same scenario (hashed from the file as
// loaded, after --set, so it does not depend on the machine's defaults), the same run
// group, and each shard's place. `sockcap merge` refuses folders whose manifests disagree.
import { createHash } from 'node:crypto';
import type { ResolvedScenario } from '../scenario/types.js';
import type { Shard } from './shard.js';

export interface Manifest {
  /** Shards of one run share it: the --run-id the user gave, or the scenario's name, hash and start time. */
  runGroup: string;
  scenarioHash: string;
  shard: Shard;
  /** When the first step was meant to start (--start-at), epoch ms; undefined: as soon as ready. */
  plannedStartAt: number | undefined;
}

export function scenarioHash(scenario: ResolvedScenario): string {
  return createHash('sha256').update(JSON.stringify(scenario.raw)).digest('hex');
}

export function makeManifest(scenario: ResolvedScenario, shard: Shard, runId: string | undefined, plannedStartAt: number | undefined): Manifest {
  const hash = scenarioHash(scenario);
  const group = runId ?? [scenario.base.name, hash.slice(0, 12), plannedStartAt === undefined ? undefined : new Date(plannedStartAt).toISOString()].filter(Boolean).join('-');
  return { runGroup: group, scenarioHash: hash, shard, plannedStartAt };
}
