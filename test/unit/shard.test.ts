import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { parseShard, shardSlots, splitSlots, type Shard } from '../../src/fleet/shard.js';
import { validateConfig } from '../../src/config/load.js';
import type { FleetConfig } from '../../src/config/schema.js';

const CLIMATE = { meanTemp: 20, dailySwing: 8, humidity: 60 };

/** A valid config with one group per count (names G0, G1, …). */
function configWith(counts: readonly number[]): FleetConfig {
  return validateConfig({
    groups: counts.map((count, i) => ({
      name: `G${i}`,
      count,
      location: { city: `City ${i}`, country: 'BR', lat: -20 + i, lon: -40 + i, climate: CLIMATE },
    })),
  });
}

/** Int32Array [g0, i0, g1, i1, …] → ["g:i", …]. */
function pairs(slots: Int32Array): string[] {
  const out: string[] = [];
  for (let k = 0; k < slots.length; k += 2) out.push(`${slots[k]}:${slots[k + 1]}`);
  return out;
}

function allDevices(config: FleetConfig): string[] {
  return config.groups.flatMap((g, gi) => Array.from({ length: g.count }, (_, i) => `${gi}:${i}`));
}

describe('parseShard', () => {
  it.each([
    ['1/1', { index: 0, count: 1 }],
    ['2/4', { index: 1, count: 4 }],
    ['4/4', { index: 3, count: 4 }],
    [' 3/7 ', { index: 2, count: 7 }],
  ])('accepts %j', (text, shard) => {
    expect(parseShard(text)).toEqual(shard);
  });

  it.each(['0/4', '5/4', 'a/b', '1/0', '0/0', '1', '1/', '/4', '-1/4', '1.5/4', '1/4/2', '', '2 / 4'])('rejects %j', (text) => {
    expect(parseShard(text)).toBeUndefined();
  });

  it('property: every i/n with 1 ≤ i ≤ n parses to index i-1', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 0, max: 999 }), (n, k) => {
        const i = (k % n) + 1;
        expect(parseShard(`${i}/${n}`)).toEqual({ index: i - 1, count: n });
        expect(parseShard(`${n + 1}/${n}`)).toBeUndefined();
      }),
    );
  });
});

describe('shardSlots', () => {
  const config = configWith([5, 3, 4]);

  it('with no shard runs the whole fleet in group order', () => {
    expect(pairs(shardSlots(config))).toEqual(allDevices(config));
    expect(pairs(shardSlots(config, { index: 0, count: 1 }))).toEqual(allDevices(config));
  });

  it('deals devices round-robin over the fleet order', () => {
    expect(pairs(shardSlots(config, { index: 0, count: 3 }))).toEqual(['0:0', '0:3', '1:1', '2:1']);
    expect(pairs(shardSlots(config, { index: 1, count: 3 }))).toEqual(['0:1', '0:4', '1:2', '2:2']);
    expect(pairs(shardSlots(config, { index: 2, count: 3 }))).toEqual(['0:2', '1:0', '2:0', '2:3']);
  });

  it('a shard beyond the fleet size is empty', () => {
    const small = configWith([1, 1]);
    expect(shardSlots(small, { index: 4, count: 5 })).toHaveLength(0);
    expect(pairs(shardSlots(small, { index: 1, count: 5 }))).toEqual(['1:0']);
  });

  it('handles empty groups', () => {
    const sparse = configWith([0, 2, 0, 1]);
    expect(pairs(shardSlots(sparse))).toEqual(['1:0', '1:1', '3:0']);
  });

  it('property: n shards together run every device exactly once, with sizes differing by at most 1', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 7 }), fc.array(fc.nat({ max: 40 }), { minLength: 1, maxLength: 6 }), (n, counts) => {
        const cfg = configWith(counts);
        const shards: Shard[] = Array.from({ length: n }, (_, index) => ({ index, count: n }));
        const slices = shards.map((s) => shardSlots(cfg, s));
        const union = slices.flatMap(pairs);
        expect(new Set(union).size).toBe(union.length);
        expect([...union].sort()).toEqual(allDevices(cfg).sort());
        const sizes = slices.map((s) => s.length / 2);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        // The array is exactly filled: no trailing zero pairs posing as device 0 of group 0.
        for (const s of slices) expect(s.length % 2).toBe(0);
        // Each shard keeps the fleet's order.
        const order = new Map(allDevices(cfg).map((d, i) => [d, i]));
        for (const s of slices) {
          const idx = pairs(s).map((p) => order.get(p) ?? -1);
          expect(idx).toEqual([...idx].sort((a, b) => a - b));
        }
      }),
    );
  });
});

describe('splitSlots', () => {
  it('splits into contiguous, near-equal parts in order', () => {
    const slots = shardSlots(configWith([7]));
    const parts = splitSlots(slots, 3);
    expect(parts.map(pairs)).toEqual([
      ['0:0', '0:1', '0:2'],
      ['0:3', '0:4'],
      ['0:5', '0:6'],
    ]);
  });

  it('an empty device list gives empty parts', () => {
    const parts = splitSlots(new Int32Array(0), 4);
    expect(parts).toHaveLength(4);
    for (const p of parts) expect(p).toHaveLength(0);
  });

  it('more parts than devices leaves the extra parts empty', () => {
    const parts = splitSlots(shardSlots(configWith([2])), 5);
    expect(parts.map((p) => p.length / 2)).toEqual([1, 1, 0, 0, 0]);
  });

  it('returns copies, not views of the input', () => {
    const slots = shardSlots(configWith([4]));
    const parts = splitSlots(slots, 2);
    (parts[0] as Int32Array)[1] = 99;
    expect(slots[1]).toBe(0);
  });

  it('property: k parts keep order and sizes differ by at most 1', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 30 }), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 12 }),
        (counts, n, k) => {
          const slots = shardSlots(configWith(counts), { index: 0, count: n });
          const parts = splitSlots(slots, k);
          expect(parts).toHaveLength(k);
          const joined = parts.flatMap(pairs);
          expect(joined).toEqual(pairs(slots));
          const sizes = parts.map((p) => p.length / 2);
          expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
          // Larger parts come first.
          expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
        },
      ),
    );
  });
});
