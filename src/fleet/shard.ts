import type { FleetConfig } from '../config/schema.js';

export interface Shard {
  index: number;
  count: number;
}

/** "2/4" → {index: 1, count: 4}: shards are numbered from 1 on the command line. */
export function parseShard(text: string): Shard | undefined {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) return undefined;
  const i = Number(m[1]);
  const n = Number(m[2]);
  if (n < 1 || i < 1 || i > n) return undefined;
  return { index: i - 1, count: n };
}

/**
 * The (group, index) pairs this shard runs, flattened into an Int32Array [g0, i0, g1, i1, …].
 * Devices are dealt round-robin over the fleet's global order, so every shard gets a slice of
 * every group and n shards together run each device exactly once.
 */
export function shardSlots(config: FleetConfig, shard: Shard = { index: 0, count: 1 }): Int32Array {
  const total = config.groups.reduce((a, g) => a + g.count, 0);
  const mine = Math.floor(total / shard.count) + (shard.index < total % shard.count ? 1 : 0);
  const out = new Int32Array(mine * 2);
  let global = 0;
  let k = 0;
  config.groups.forEach((g, gi) => {
    for (let i = 0; i < g.count; i++, global++) {
      if (global % shard.count !== shard.index) continue;
      out[k++] = gi;
      out[k++] = i;
    }
  });
  return out;
}

/** Splits slots into `parts` contiguous, near-equal slices (one per worker). */
export function splitSlots(slots: Int32Array, parts: number): Int32Array[] {
  const devices = slots.length / 2;
  const out: Int32Array[] = [];
  let start = 0;
  for (let p = 0; p < parts; p++) {
    const n = Math.floor(devices / parts) + (p < devices % parts ? 1 : 0);
    out.push(slots.slice(start * 2, (start + n) * 2));
    start += n;
  }
  return out;
}
