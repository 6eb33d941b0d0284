import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { completeFaults, type Distribution, type FaultsPatch, type GroupFaultsConfig } from '../../src/config/faults.js';
import { probit, Z95 } from '../../src/core/probit.js';
import { parseConfigText } from '../../src/config/load.js';
import { thingNameFor } from '../../src/device/identity.js';
import { groupRuntimes, swapFaults } from '../../src/fleet/build-devices.js';
import { createDeviceFaults, NO_FAULTS, sampleDistribution, type DeviceFaults, type ExecutionFate } from '../../src/device/faults.js';

const SEED = 42;
const THINGS = Array.from({ length: 10_000 }, (_, i) => `SaoPaulo-${String(i + 1).padStart(5, '0')}`);
const faults = (p: FaultsPatch): GroupFaultsConfig => completeFaults(p);

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

/** Expects the share of `items` picked to be within 4 standard errors of `p` (the seed is fixed, so this is deterministic). */
function expectShare<T>(items: readonly T[], pick: (t: T) => boolean, p: number): void {
  const share = items.filter(pick).length / items.length;
  expect(Math.abs(share - p)).toBeLessThanOrEqual(4 * Math.sqrt((p * (1 - p)) / items.length));
}

describe('probit (the standard normal quantile)', () => {
  it.each([
    [0.5, 0],
    [0.95, 1.6448536269514722],
    [0.975, 1.959963984540054],
    [0.8413447460685429, 1],
    [0.001, -3.090232306167813],
    [1e-9, -5.997807015007687],
  ])('probit(%s) ≈ %s', (p, z) => {
    expect(probit(p)).toBeCloseTo(z, 7);
  });

  it('is ±Infinity at 0 and 1, NaN outside', () => {
    expect(probit(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(probit(1)).toBe(Number.POSITIVE_INFINITY);
    expect(probit(-0.1)).toBeNaN();
    expect(probit(1.1)).toBeNaN();
    expect(probit(Number.NaN)).toBeNaN();
  });

  it('is odd around 0.5 and increasing', () => {
    fc.assert(
      // Away from 0 and 1, where 1 − p itself loses the digits that matter.
      fc.property(fc.double({ min: 1e-6, max: 1 - 1e-6, noNaN: true }), fc.double({ min: 1e-6, max: 1 - 1e-6, noNaN: true }), (p, q) => {
        expect(probit(p) + probit(1 - p)).toBeCloseTo(0, 6);
        if (p < q) expect(probit(p)).toBeLessThanOrEqual(probit(q));
      }),
    );
  });
});

describe('sampleDistribution (inverse CDF of one uniform draw)', () => {
  it('fixed is its value; uniform spans min..max linearly', () => {
    expect(sampleDistribution({ dist: 'fixed', value: 20_000 }, 0.3)).toBe(20_000);
    const u: Distribution = { dist: 'uniform', min: 20, max: 300 };
    expect(sampleDistribution(u, 0)).toBe(20);
    expect(sampleDistribution(u, 0.5)).toBe(160);
    expect(sampleDistribution(u, 0.999999)).toBeCloseTo(300, 3);
  });

  it('lognormal puts its median at 0.5 and its p95 at 0.95', () => {
    const d: Distribution = { dist: 'lognormal', median: 20_000, p95: 90_000 };
    expect(sampleDistribution(d, 0.5)).toBeCloseTo(20_000, 6);
    expect(sampleDistribution(d, 0.95)).toBeCloseTo(90_000, 2);
    expect(Z95).toBeCloseTo(probit(0.95), 8);
  });

  it('normal is centred on its mean and never negative', () => {
    const d: Distribution = { dist: 'normal', mean: 1000, stddev: 2000 };
    expect(sampleDistribution(d, 0.5)).toBeCloseTo(1000, 6);
    expect(sampleDistribution(d, 0.8413447460685429)).toBeCloseTo(3000, 3);
    expect(sampleDistribution(d, 0.01)).toBe(0);
  });
});

describe('createDeviceFaults: seeded decisions', () => {
  const busy = faults({
    fail: 0.05,
    reject: 0.01,
    hang: 0.02,
    crash: 0.02,
    offline: { never: 0.02, drops: 0.01, dropAfter: { dist: 'uniform', min: 60_000, max: 120_000 } },
    duration: { dist: 'lognormal', median: 20_000, p95: 90_000 },
    latency: { dist: 'uniform', min: 20, max: 300 },
  });

  it('is NO_FAULTS when nothing is switched on', () => {
    expect(createDeviceFaults(completeFaults({}), SEED)).toBe(NO_FAULTS);
    expect(createDeviceFaults(busy, SEED)).not.toBe(NO_FAULTS);
  });

  it('gives the same answers to the same questions, from separate instances (two runs, one seed)', () => {
    const run = (f: DeviceFaults): unknown[] =>
      THINGS.slice(0, 2000).flatMap((t) => [f.execution(t, 'job-1', 1), f.execution(t, 'job-2', 1), f.offline(t), f.publishLatencyMs(t, 7)]);
    expect(run(createDeviceFaults(busy, SEED))).toEqual(run(createDeviceFaults(structuredClone(busy), SEED)));
  });

  it('changes with the seed, the job and the execution number (a retry draws again)', () => {
    const f = createDeviceFaults(faults({ fail: 0.5 }), SEED);
    const failing = (g: DeviceFaults, job: string, n: number): string[] => THINGS.slice(0, 1000).filter((t) => g.execution(t, job, n).fault === 'fail');
    const base = failing(f, 'job-1', 1);
    for (const other of [failing(createDeviceFaults(faults({ fail: 0.5 }), SEED + 1), 'job-1', 1), failing(f, 'job-2', 1), failing(f, 'job-1', 2)]) {
      expect(other).not.toEqual(base);
      // Independent draws: about half of the failing devices fail again.
      const again = other.filter((t) => base.includes(t)).length / base.length;
      expect(again).toBeGreaterThan(0.4);
      expect(again).toBeLessThan(0.6);
    }
  });

  it('fails, rejects, hangs and crashes in the configured proportions over 10,000 devices', () => {
    const f = createDeviceFaults(busy, SEED);
    const fates = THINGS.map((t) => f.execution(t, 'firmware-update-7', 1));
    expectShare(fates, (x) => x.fault === 'fail', 0.05);
    expectShare(fates, (x) => x.fault === 'reject', 0.01);
    expectShare(fates, (x) => x.fault === 'hang', 0.02);
    expectShare(fates, (x) => x.fault === 'crash', 0.02);
    expectShare(fates, (x) => x.fault === undefined, 0.9);
    for (const x of fates) {
      if (x.fault === 'crash') expect(x.crashAt).toBeGreaterThanOrEqual(0.1);
      if (x.fault === 'crash') expect(x.crashAt).toBeLessThanOrEqual(0.9);
      else expect(x.crashAt).toBeUndefined();
    }
  });

  it('splits offline devices into never-connecting and dropping ones, dropping within dropAfter', () => {
    const f = createDeviceFaults(busy, SEED);
    const fates = THINGS.map((t) => f.offline(t));
    expectShare(fates, (x) => x?.kind === 'never', 0.02);
    expectShare(fates, (x) => x?.kind === 'drops', 0.01);
    for (const x of fates) if (x?.kind === 'drops') expect(x.afterMs >= 60_000 && x.afterMs <= 120_000).toBe(true);
  });

  it("draws job durations whose median and p95 match the lognormal's", () => {
    const f = createDeviceFaults(busy, SEED);
    const ms = THINGS.map((t) => f.execution(t, 'job-1', 1).durationMs as number).sort((a, b) => a - b);
    expect(Math.abs(quantile(ms, 0.5) / 20_000 - 1)).toBeLessThan(0.05);
    expect(Math.abs(quantile(ms, 0.95) / 90_000 - 1)).toBeLessThan(0.08);
    // Independent of the fate: the failing devices' durations look the same.
    const failing = THINGS.filter((t) => f.execution(t, 'job-1', 1).fault === 'fail').map((t) => f.execution(t, 'job-1', 1).durationMs as number).sort((a, b) => a - b);
    expect(Math.abs(quantile(failing, 0.5) / 20_000 - 1)).toBeLessThan(0.2);
  });

  it('draws publish latencies across min..max, a fresh one per publish', () => {
    const f = createDeviceFaults(busy, SEED);
    const ms = THINGS.map((t, i) => f.publishLatencyMs(t, i % 50)).sort((a, b) => a - b);
    expect(ms[0]).toBeGreaterThanOrEqual(20);
    expect(ms.at(-1)).toBeLessThanOrEqual(300);
    expect(Math.abs(quantile(ms, 0.5) - 160)).toBeLessThan(10);
    const one = THINGS[0] as string;
    expect(new Set(Array.from({ length: 20 }, (_, n) => f.publishLatencyMs(one, n))).size).toBeGreaterThan(10);
    expect(f.publishLatencyMs(one, 3)).toBe(f.publishLatencyMs(one, 3));
  });

  it('leaves durations and latency to the device when none are configured', () => {
    const f = createDeviceFaults(faults({ fail: 0.3 }), SEED);
    expect(f.execution('SaoPaulo-00001', 'j', 1).durationMs).toBeUndefined();
    expect(f.publishLatencyMs('SaoPaulo-00001', 1)).toBe(0);
    expect(f.offline('SaoPaulo-00001')).toBeUndefined();
  });

  const KINDS = ['fail', 'reject', 'hang', 'crash'] as const;
  const question = fc.record({ thing: fc.string({ minLength: 1, maxLength: 40 }), job: fc.string({ minLength: 1, maxLength: 64 }), n: fc.integer({ min: 1, max: 10_000 }), seed: fc.nat() });

  it('probability 1 always, probability 0 never (any thing, job, execution, seed)', () => {
    fc.assert(
      fc.property(question, fc.constantFrom(...KINDS), ({ thing, job, n, seed }, kind) => {
        const always: ExecutionFate = createDeviceFaults(faults({ [kind]: 1 }), seed).execution(thing, job, n);
        expect(always.fault).toBe(kind);
        const others = Object.fromEntries(KINDS.filter((k) => k !== kind).map((k) => [k, 1 / 3]));
        expect(createDeviceFaults(faults({ ...others, [kind]: 0 }), seed).execution(thing, job, n).fault).not.toBe(kind);
        expect(createDeviceFaults(faults({ offline: { never: 1 } }), seed).offline(thing)).toEqual({ kind: 'never' });
        expect(createDeviceFaults(faults({ offline: { drops: 1 } }), seed).offline(thing)?.kind).toBe('drops');
        expect(createDeviceFaults(faults({ fail: 1, offline: { never: 0, drops: 0 } }), seed).offline(thing)).toBeUndefined();
      }),
    );
  });

  it('every draw is finite and not negative', () => {
    const dists: Distribution[] = [
      { dist: 'lognormal', median: 1, p95: 86_400_000 },
      { dist: 'normal', mean: 0, stddev: 86_400_000 },
      { dist: 'uniform', min: 0, max: 0 },
    ];
    fc.assert(
      fc.property(question, fc.constantFrom(...dists), ({ thing, job, n, seed }, d) => {
        const f = createDeviceFaults(faults({ duration: d, latency: d, offline: { drops: 1, dropAfter: d } }), seed);
        for (const v of [f.execution(thing, job, n).durationMs, f.publishLatencyMs(thing, n), (f.offline(thing) as { afterMs: number }).afterMs]) {
          expect(Number.isFinite(v)).toBe(true);
          expect(v).toBeGreaterThanOrEqual(0);
        }
      }),
    );
  });
});

describe('a fleet\'s faults (groupRuntimes)', () => {
  const yaml = `seed: 9
faults: { fail: 0.1, hang: 0.05, offline: 0.04, duration: {dist: lognormal, median: 20s, p95: 90s} }
groups:
  - { name: Lab, count: 500, location: { city: Lisbon, country: PT, lat: 38.7, lon: -9.1, climate: { meanTemp: 17, dailySwing: 8, humidity: 70 } } }
  - { name: Field, count: 500, faults: { reject: 0.2 }, location: { city: Porto, country: PT, lat: 41.1, lon: -8.6, climate: { meanTemp: 15, dailySwing: 7, humidity: 75 } } }
`;
  const outcomes = (text: string): unknown[] => {
    const config = parseConfigText(text);
    const runtimes = groupRuntimes(config);
    return config.groups.flatMap((g, gi) =>
      Array.from({ length: g.count }, (_, i) => {
        const thing = thingNameFor(g, i + 1);
        const faults = runtimes[gi]?.faults as DeviceFaults;
        return [thing, faults.execution(thing, 'rollout-1', 1), faults.execution(thing, 'rollout-1', 2), faults.offline(thing)];
      }),
    );
  };

  it('two runs with one seed give every device the same outcomes; another seed does not', () => {
    const first = outcomes(yaml);
    expect(outcomes(yaml)).toEqual(first);
    expect(outcomes(yaml.replace('seed: 9', 'seed: 10'))).not.toEqual(first);
    const rejected = first.filter((o) => (o as [string, ExecutionFate])[1].fault === 'reject').map((o) => (o as [string])[0]);
    expect(rejected.length).toBeGreaterThan(60);
    expect(rejected.every((t) => t.startsWith('Field-'))).toBe(true);
  });

  it('swapFaults replaces the named groups\' faults in place, where their devices read them', () => {
    const config = parseConfigText(yaml);
    const runtimes = groupRuntimes(config);
    const [lab, field] = runtimes;
    const before = field?.faults;
    expect(swapFaults(runtimes, { Lab: completeFaults({ reject: 1 }), Nowhere: completeFaults({}) }, config.seed)).toEqual(['Lab']);
    expect(lab?.faults.execution('Lab-00001', 'j', 1).fault).toBe('reject');
    expect(field?.faults).toBe(before);
  });
});
