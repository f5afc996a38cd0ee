// Which deterministic slice of a scenario a run is: shard i of n (`--shard 2/8`). Recorded in
// every results folder so `sockcap merge` can check it holds each shard exactly once.
export interface Shard {
  /** 0-based. */
  index: number;
  count: number;
}
