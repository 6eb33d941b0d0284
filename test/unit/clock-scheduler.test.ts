import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { FakeClock, ScaledClock, epochSeconds, type Clock, type TimerHandle } from '../../src/core/clock.js';
import { WorkerScheduler } from '../../src/fleet/scheduler.js';
import { FifoConnectGate } from '../../src/fleet/connect-gate.js';
import { backoffDelay } from '../../src/device/lifecycle.js';
import type { TimerEntry, TimerTarget } from '../../src/device/context.js';

const START = Date.UTC(2026, 0, 1);

describe('FakeClock', () => {
  it('starts at 2026-01-01 by default, or where told', () => {
    expect(new FakeClock().now()).toBe(START);
    expect(new FakeClock(5_000).now()).toBe(5_000);
    expect(epochSeconds(new FakeClock(12_345))).toBe(12);
  });

  it('fires timers in due order, each seeing now() = its due time', () => {
    const clock = new FakeClock(0);
    const seen: [string, number][] = [];
    clock.setTimeout(() => seen.push(['c', clock.now()]), 300);
    clock.setTimeout(() => seen.push(['a', clock.now()]), 100);
    clock.setTimeout(() => seen.push(['b', clock.now()]), 200);
    clock.advance(1_000);
    expect(seen).toEqual([
      ['a', 100],
      ['b', 200],
      ['c', 300],
    ]);
    expect(clock.now()).toBe(1_000);
    expect(clock.pending()).toBe(0);
  });

  it('timers due at the same time fire in the order they were set', () => {
    const clock = new FakeClock(0);
    const seen: number[] = [];
    for (let i = 0; i < 10; i++) clock.setTimeout(() => seen.push(i), 50);
    clock.advance(50);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('fires nothing early', () => {
    const clock = new FakeClock(0);
    let fired = 0;
    clock.setTimeout(() => fired++, 100);
    clock.advance(99);
    expect(fired).toBe(0);
    expect(clock.now()).toBe(99);
    clock.advance(1);
    expect(fired).toBe(1);
    clock.advance(1_000);
    expect(fired).toBe(1);
  });

  it('repeats intervals until cleared', () => {
    const clock = new FakeClock(0);
    const at: number[] = [];
    const h = clock.setInterval(() => at.push(clock.now()), 100);
    clock.advance(350);
    expect(at).toEqual([100, 200, 300]);
    clock.clearInterval(h);
    clock.advance(1_000);
    expect(at).toEqual([100, 200, 300]);
    expect(clock.pending()).toBe(0);
  });

  it('an interval may clear itself from its own callback', () => {
    const clock = new FakeClock(0);
    let n = 0;
    const h: TimerHandle = clock.setInterval(() => {
      if (++n === 3) clock.clearInterval(h);
    }, 10);
    clock.advance(1_000);
    expect(n).toBe(3);
  });

  it('clearTimeout cancels, and tolerates undefined', () => {
    const clock = new FakeClock(0);
    let fired = false;
    const h = clock.setTimeout(() => (fired = true), 10);
    clock.clearTimeout(h);
    clock.clearTimeout(undefined);
    clock.advance(100);
    expect(fired).toBe(false);
  });

  it('a timer set from a callback fires in the same advance when due inside it', () => {
    const clock = new FakeClock(0);
    const at: number[] = [];
    clock.setTimeout(() => {
      at.push(clock.now());
      clock.setTimeout(() => at.push(clock.now()), 50);
      clock.setTimeout(() => at.push(clock.now()), 0);
    }, 100);
    clock.advance(120);
    expect(at).toEqual([100, 100]);
    clock.advance(30);
    expect(at).toEqual([100, 100, 150]);
  });

  it('treats negative delays as zero and advanceTo never goes back', () => {
    const clock = new FakeClock(1_000);
    let fired = 0;
    clock.setTimeout(() => fired++, -500);
    clock.advanceTo(500);
    expect(clock.now()).toBe(1_000);
    expect(fired).toBe(0);
    clock.advance(0);
    expect(fired).toBe(1);
    expect(clock.now()).toBe(1_000);
  });

  it('property: any set of timers fires sorted by (due, creation) with now() at each due', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 1_000 }), { maxLength: 60 }), fc.nat({ max: 1_000 }), (delays, horizon) => {
        const clock = new FakeClock(0);
        const fired: { i: number; at: number }[] = [];
        delays.forEach((d, i) => clock.setTimeout(() => fired.push({ i, at: clock.now() }), d));
        clock.advance(horizon);
        const expected = delays
          .map((d, i) => ({ i, at: d }))
          .filter((e) => e.at <= horizon)
          .sort((a, b) => a.at - b.at || a.i - b.i);
        expect(fired).toEqual(expected);
        expect(clock.pending()).toBe(delays.length - expected.length);
      }),
    );
  });
});

describe('ScaledClock', () => {
  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('rejects speed %d', (speed) => {
    expect(() => new ScaledClock(speed)).toThrow(RangeError);
    expect(() => new ScaledClock({ wallMs: 0, simMs: 0, speed })).toThrow(RangeError);
  });

  it('with a speed only, starts at wall-clock time', () => {
    const before = Date.now();
    const clock = new ScaledClock(1);
    const now = clock.now();
    const after = Date.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(after);
    expect(clock.speed).toBe(1);
  });

  it('follows an explicit epoch: simMs + (wall - wallMs) × speed', () => {
    const simMs = Date.UTC(2030, 5, 1);
    const clock = new ScaledClock({ wallMs: Date.now() - 1_000, simMs, speed: 60 });
    const elapsed = clock.now() - simMs;
    // At least 1 wall second has passed since wallMs, i.e. 60 simulated seconds; allow 0.5 s of slack.
    expect(elapsed).toBeGreaterThanOrEqual(60_000);
    expect(elapsed).toBeLessThanOrEqual(60_000 + 60 * 500);
    expect(clock.speed).toBe(60);
    expect(clock.epoch).toEqual({ wallMs: expect.any(Number), simMs, speed: 60 });
  });

  it('never runs backwards between reads', () => {
    const clock = new ScaledClock({ wallMs: Date.now(), simMs: 0, speed: 1000 });
    let prev = clock.now();
    for (let i = 0; i < 100; i++) {
      const t = clock.now();
      expect(t).toBeGreaterThanOrEqual(prev);
      prev = t;
    }
  });
});

/** A target that logs (name, kind, now) when it fires. */
function recorder(clock: FakeClock, log: { name: string; kind: number; at: number }[], name: string): TimerTarget {
  return { onTimer: (kind) => log.push({ name, kind, at: clock.now() }) };
}

describe('WorkerScheduler', () => {
  it('fires many targets in due order at their due times, with a single clock timer', () => {
    const clock = new FakeClock(0);
    const s = new WorkerScheduler(clock);
    const log: { name: string; kind: number; at: number }[] = [];
    const dues = [500, 100, 300, 200, 400, 100, 50];
    dues.forEach((d, i) => s.schedule(d, recorder(clock, log, `t${i}`), i));
    expect(s.size).toBe(7);
    expect(clock.pending()).toBe(1);
    clock.advance(1_000);
    expect(log.map((e) => e.name)).toEqual(['t6', 't1', 't5', 't3', 't2', 't4', 't0']);
    for (const e of log) expect(e.at).toBe(dues[e.kind]);
    expect(s.size).toBe(0);
    expect(clock.pending()).toBe(0);
  });

  it('property: fires in (due, scheduling) order, skipping cancelled entries; size counts live ones', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ due: fc.nat({ max: 2_000 }), cancel: fc.boolean() }), { maxLength: 80 }),
        fc.nat({ max: 2_500 }),
        (specs, horizon) => {
          const clock = new FakeClock(0);
          const s = new WorkerScheduler(clock);
          const fired: number[] = [];
          const entries = specs.map((sp, i) => s.schedule(sp.due, { onTimer: () => fired.push(i) }, 0));
          specs.forEach((sp, i) => {
            if (sp.cancel) s.cancel(entries[i]);
          });
          // Cancelling twice is harmless.
          specs.forEach((sp, i) => {
            if (sp.cancel) s.cancel(entries[i]);
          });
          const live = specs.filter((sp) => !sp.cancel).length;
          expect(s.size).toBe(live);
          clock.advance(horizon);
          const expected = specs
            .map((sp, i) => ({ ...sp, i }))
            .filter((e) => !e.cancel && e.due <= horizon)
            .sort((a, b) => a.due - b.due || a.i - b.i)
            .map((e) => e.i);
          expect(fired).toEqual(expected);
          expect(s.size).toBe(live - expected.length);
          // Cancelling an entry that already fired changes nothing.
          for (const i of expected) s.cancel(entries[i]);
          expect(s.size).toBe(live - expected.length);
        },
      ),
    );
  });

  it('an entry scheduled in the past fires on the next advance', () => {
    const clock = new FakeClock(10_000);
    const s = new WorkerScheduler(clock);
    const log: { name: string; kind: number; at: number }[] = [];
    s.schedule(5_000, recorder(clock, log, 'late'), 1);
    expect(log).toEqual([]);
    clock.advance(0);
    expect(log).toEqual([{ name: 'late', kind: 1, at: 10_000 }]);
  });

  it('an earlier entry re-arms the clock timer', () => {
    const clock = new FakeClock(0);
    const s = new WorkerScheduler(clock);
    const log: { name: string; kind: number; at: number }[] = [];
    s.schedule(1_000, recorder(clock, log, 'late'), 0);
    s.schedule(10, recorder(clock, log, 'early'), 0);
    clock.advance(10);
    expect(log).toEqual([{ name: 'early', kind: 0, at: 10 }]);
    clock.advance(990);
    expect(log.map((e) => e.name)).toEqual(['early', 'late']);
  });

  it('cancelling the earliest entry does not stop later ones', () => {
    const clock = new FakeClock(0);
    const s = new WorkerScheduler(clock);
    const log: { name: string; kind: number; at: number }[] = [];
    const first = s.schedule(10, recorder(clock, log, 'a'), 0);
    s.schedule(20, recorder(clock, log, 'b'), 0);
    s.cancel(first);
    s.cancel(undefined);
    clock.advance(100);
    expect(log).toEqual([{ name: 'b', kind: 0, at: 20 }]);
  });

  it('a target may reschedule itself from onTimer (periodic telemetry)', () => {
    const clock = new FakeClock(0);
    const s = new WorkerScheduler(clock);
    const at: number[] = [];
    const target: TimerTarget = {
      onTimer: () => {
        at.push(clock.now());
        s.schedule(clock.now() + 1_000, target, 0);
      },
    };
    s.schedule(1_000, target, 0);
    clock.advance(10_000);
    expect(at).toEqual([1_000, 2_000, 3_000, 4_000, 5_000, 6_000, 7_000, 8_000, 9_000, 10_000]);
    expect(s.size).toBe(1);
  });

  it('an entry cancelled by another due at the same time does not fire', () => {
    const clock = new FakeClock(0);
    const s = new WorkerScheduler(clock);
    const fired: string[] = [];
    const victim: { entry?: TimerEntry } = {};
    s.schedule(100, { onTimer: () => (fired.push('killer'), s.cancel(victim.entry)) }, 0);
    victim.entry = s.schedule(100, { onTimer: () => fired.push('victim') }, 0);
    clock.advance(100);
    expect(fired).toEqual(['killer']);
    expect(s.size).toBe(0);
  });

  it('a burst of 5000 due entries all fire, in scheduling order', () => {
    const clock = new FakeClock(0);
    const s = new WorkerScheduler(clock);
    const fired: number[] = [];
    for (let i = 0; i < 5_000; i++) s.schedule(0, { onTimer: () => fired.push(i) }, 0);
    expect(s.size).toBe(5_000);
    clock.advance(0);
    for (let step = 0; step < 10 && fired.length < 5_000; step++) clock.advance(1);
    expect(fired).toHaveLength(5_000);
    expect(fired).toEqual(Array.from({ length: 5_000 }, (_, i) => i));
    expect(s.size).toBe(0);
    expect(clock.pending()).toBe(0);
  });

  it('a burst is processed at most 2000 entries per wake, re-arming in between', () => {
    const clock = new FakeClock(0);
    let arms = 0;
    // Counts the scheduler's clock timers: each one is a separate wake-up.
    const counting: Clock = {
      speed: 1,
      now: () => clock.now(),
      setTimeout: (fn, ms) => (arms++, clock.setTimeout(fn, ms)),
      clearTimeout: (h) => clock.clearTimeout(h),
      setInterval: (fn, ms) => clock.setInterval(fn, ms),
      clearInterval: (h) => clock.clearInterval(h),
    };
    const s = new WorkerScheduler(counting);
    const perWake = new Map<number, number>();
    for (let i = 0; i < 5_000; i++) s.schedule(0, { onTimer: () => perWake.set(arms, (perWake.get(arms) ?? 0) + 1) }, 0);
    clock.advance(0);
    const sizes = [...perWake.values()];
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(5_000);
    expect(sizes.length).toBeGreaterThanOrEqual(3);
    for (const n of sizes) expect(n).toBeLessThanOrEqual(2_000);
  });

  it('a burst larger than one wake does not starve entries due later', () => {
    const clock = new FakeClock(0);
    const s = new WorkerScheduler(clock);
    let burst = 0;
    const later: number[] = [];
    for (let i = 0; i < 4_500; i++) s.schedule(10, { onTimer: () => burst++ }, 0);
    s.schedule(20, { onTimer: () => later.push(clock.now()) }, 0);
    clock.advance(20);
    expect(burst).toBe(4_500);
    expect(later).toEqual([20]);
  });

  it('stop() drops everything', () => {
    const clock = new FakeClock(0);
    const s = new WorkerScheduler(clock);
    let fired = 0;
    for (let i = 0; i < 10; i++) s.schedule(i * 10, { onTimer: () => fired++ }, 0);
    s.stop();
    expect(s.size).toBe(0);
    expect(clock.pending()).toBe(0);
    clock.advance(1_000);
    expect(fired).toBe(0);
    // Still usable afterwards.
    s.schedule(clock.now() + 5, { onTimer: () => fired++ }, 0);
    clock.advance(5);
    expect(fired).toBe(1);
  });

  // Regression: stop() must empty dropped entries, or a device's later cancel() miscounts size.
  it('cancelling an entry dropped by stop() does not change size', () => {
    const clock = new FakeClock(0);
    const s = new WorkerScheduler(clock);
    const dropped = s.schedule(100, { onTimer: () => undefined }, 0);
    s.stop();
    s.cancel(dropped);
    expect(s.size).toBe(0);
    s.schedule(200, { onTimer: () => undefined }, 0);
    s.cancel(dropped);
    expect(s.size).toBe(1);
  });
});

/** A fake device for the gate: records when it was admitted. */
function device(log: string[], name: string, wants = true): { beginConnect(): boolean } {
  return {
    beginConnect: () => {
      log.push(name);
      return wants;
    },
  };
}

describe('FifoConnectGate', () => {
  it('admits at most `limit` devices, then one per release, in FIFO order', () => {
    const gate = new FifoConnectGate(2);
    const log: string[] = [];
    for (const n of ['a', 'b', 'c', 'd', 'e']) gate.request(device(log, n));
    expect(log).toEqual(['a', 'b']);
    expect(gate.waiting).toBe(3);
    gate.release();
    expect(log).toEqual(['a', 'b', 'c']);
    gate.release();
    gate.release();
    expect(log).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(gate.waiting).toBe(0);
  });

  it('a device that no longer wants to connect does not take a slot', () => {
    const gate = new FifoConnectGate(1);
    const log: string[] = [];
    gate.request(device(log, 'gone', false));
    gate.request(device(log, 'x'));
    gate.request(device(log, 'y'));
    expect(log).toEqual(['gone', 'x']);
    expect(gate.waiting).toBe(1);
  });

  it('extra releases do not create extra slots', () => {
    const gate = new FifoConnectGate(1);
    const log: string[] = [];
    gate.release();
    gate.release();
    gate.request(device(log, 'a'));
    gate.request(device(log, 'b'));
    expect(log).toEqual(['a']);
  });

  it('property: outstanding handshakes never exceed the limit and everyone is admitted in order', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 60 }),
        fc.array(fc.boolean(), { maxLength: 200 }),
        (limit, wants, script) => {
          const gate = new FifoConnectGate(limit);
          const admitted: number[] = [];
          let inFlight = 0;
          let next = 0;
          const request = (): void => {
            const i = next++;
            gate.request({
              beginConnect: () => {
                admitted.push(i);
                if (!wants[i]) return false;
                inFlight++;
                return true;
              },
            });
          };
          // Interleave requests and releases.
          for (const doRequest of script) {
            if (doRequest && next < wants.length) request();
            else if (inFlight > 0) {
              inFlight--;
              gate.release();
            }
            expect(inFlight).toBeLessThanOrEqual(limit);
          }
          while (next < wants.length) request();
          while (inFlight > 0) {
            inFlight--;
            gate.release();
          }
          expect(admitted).toEqual(wants.map((_, i) => i));
          expect(gate.waiting).toBe(0);
        },
      ),
    );
  });

  it('handles a long queue (compaction) without losing order', () => {
    const gate = new FifoConnectGate(1);
    const log: string[] = [];
    for (let i = 0; i < 3_000; i++) gate.request(device(log, String(i)));
    for (let i = 0; i < 3_000; i++) gate.release();
    expect(log).toEqual(Array.from({ length: 3_000 }, (_, i) => String(i)));
    expect(gate.waiting).toBe(0);
  });

  // Regression: a handshake that ends synchronously inside beginConnect() must not leak its slot.
  it('a handshake that ends inside beginConnect frees its slot', () => {
    const gate = new FifoConnectGate(1);
    const log: string[] = [];
    gate.request({
      beginConnect: () => {
        log.push('sync');
        gate.release();
        return true;
      },
    });
    gate.request(device(log, 'next'));
    expect(log).toEqual(['sync', 'next']);
  });
});

describe('backoffDelay', () => {
  it('property: within [capped/2, capped] where capped = min(max, min × 2^attempt)', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 200 }),
        fc.integer({ min: 1, max: 60_000 }),
        fc.integer({ min: 0, max: 3_600_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, minMs, extra, random) => {
          const maxMs = minMs + extra;
          const capped = Math.min(maxMs, minMs * 2 ** attempt);
          const d = backoffDelay(attempt, minMs, maxMs, random);
          expect(Number.isFinite(d)).toBe(true);
          expect(d).toBeGreaterThanOrEqual(capped / 2);
          expect(d).toBeLessThanOrEqual(capped);
          expect(d).toBeLessThanOrEqual(maxMs);
        },
      ),
    );
  });

  it('doubles with each attempt until the cap', () => {
    const fixed = (a: number): number => backoffDelay(a, 1_000, 60_000, 0);
    expect([0, 1, 2, 3, 4, 5].map(fixed)).toEqual([500, 1_000, 2_000, 4_000, 8_000, 16_000]);
    expect(fixed(6)).toBe(30_000);
    expect(fixed(7)).toBe(30_000);
    expect(fixed(1_000_000)).toBe(30_000);
  });

  it('the random half spreads the delay over the upper half', () => {
    expect(backoffDelay(3, 1_000, 60_000, 0)).toBe(4_000);
    expect(backoffDelay(3, 1_000, 60_000, 0.5)).toBe(6_000);
    expect(backoffDelay(3, 1_000, 60_000, 0.999)).toBeCloseTo(7_996, 6);
  });

  it('property: never shrinks as attempts grow, for the same random value', () => {
    fc.assert(
      fc.property(fc.nat({ max: 100 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, r) => {
        expect(backoffDelay(attempt + 1, 100, 600_000, r)).toBeGreaterThanOrEqual(backoffDelay(attempt, 100, 600_000, r));
      }),
    );
  });
});
