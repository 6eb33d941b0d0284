import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  initialThermalState,
  localSolarHour,
  outdoorHumidity,
  outdoorTemperature,
  sensorReading,
  stepThermal,
  type Site,
  type ThermalSettings,
  type ThermalState,
} from '../../src/device/thermal.js';

const HOUR = 3_600_000;
const MIN = 60_000;
/** Midnight UTC. */
const T0 = Date.UTC(2026, 0, 1);

const SAO_PAULO: Site = { climate: { meanTemp: 21, dailySwing: 9, humidity: 78 }, lon: -46.6333 };
const GREENWICH: Site = { climate: { meanTemp: 10, dailySwing: 6, humidity: 80 }, lon: 0 };

const ON = (setpointC: number): ThermalSettings => ({ power: 'on', setpointC });
const OFF: ThermalSettings = { power: 'off', setpointC: 22 };

/** Steps from `s` in `stepMs` increments for `totalMs`. */
function run(s: ThermalState, settings: ThermalSettings, site: Site, totalMs: number, stepMs: number): ThermalState {
  let state = s;
  const end = s.atMs + totalMs;
  for (let t = s.atMs + stepMs; t < end; t += stepMs) state = stepThermal(state, settings, site, t);
  return stepThermal(state, settings, site, end);
}

/** Sim time (ms after T0) of the hottest / coldest minute of the first day, by sampling. */
function extremeMinute(site: Site, pick: 'max' | 'min'): number {
  let best = 0;
  let bestT = pick === 'max' ? -Infinity : Infinity;
  for (let m = 0; m < 24 * 60; m++) {
    const t = outdoorTemperature(site, T0 + m * MIN);
    if (pick === 'max' ? t > bestT : t < bestT) {
      bestT = t;
      best = m * MIN;
    }
  }
  return best;
}

/** Circular distance between two hours of the day. */
const hourDistance = (a: number, b: number): number => {
  const d = Math.abs(a - b) % 24;
  return Math.min(d, 24 - d);
};

describe('with the A/C on', () => {
  it('converges to the setpoint from above within 3 simulated hours', () => {
    const start: ThermalState = { indoorC: 34, humidity: 80, atMs: T0 };
    const end = run(start, ON(22), SAO_PAULO, 3 * HOUR, MIN);
    expect(Math.abs(end.indoorC - 22)).toBeLessThan(0.1);
    expect(end.atMs).toBe(T0 + 3 * HOUR);
  });

  it('converges to the setpoint from below within 3 simulated hours', () => {
    const start: ThermalState = { indoorC: 5, humidity: 30, atMs: T0 };
    const end = run(start, ON(24), SAO_PAULO, 3 * HOUR, 10 * MIN);
    expect(Math.abs(end.indoorC - 24)).toBeLessThan(0.1);
  });

  it('moves monotonically toward the setpoint, never overshooting', () => {
    let state: ThermalState = { indoorC: 30, humidity: 60, atMs: T0 };
    let prev = state.indoorC;
    for (let i = 1; i <= 60; i++) {
      state = stepThermal(state, ON(20), SAO_PAULO, T0 + i * MIN);
      expect(state.indoorC).toBeLessThan(prev);
      expect(state.indoorC).toBeGreaterThan(20);
      prev = state.indoorC;
    }
  });

  it('dries the air toward 45 % from above and below', () => {
    const humid = run({ indoorC: 25, humidity: 95, atMs: T0 }, ON(22), SAO_PAULO, 6 * HOUR, 5 * MIN);
    const dry = run({ indoorC: 25, humidity: 10, atMs: T0 }, ON(22), SAO_PAULO, 6 * HOUR, 5 * MIN);
    expect(Math.abs(humid.humidity - 45)).toBeLessThan(0.1);
    expect(Math.abs(dry.humidity - 45)).toBeLessThan(0.1);
  });
});

describe('with the A/C off', () => {
  const maxOut = SAO_PAULO.climate.meanTemp + SAO_PAULO.climate.dailySwing / 2;
  const minOut = SAO_PAULO.climate.meanTemp - SAO_PAULO.climate.dailySwing / 2;

  it('a room hotter than it ever is outside cools, one colder warms', () => {
    for (let h = 0; h < 24; h++) {
      const at = T0 + h * HOUR;
      const hot = stepThermal({ indoorC: maxOut + 5, humidity: 50, atMs: at }, OFF, SAO_PAULO, at + 30 * MIN);
      const cold = stepThermal({ indoorC: minOut - 5, humidity: 50, atMs: at }, OFF, SAO_PAULO, at + 30 * MIN);
      expect(hot.indoorC).toBeLessThan(maxOut + 5);
      expect(cold.indoorC).toBeGreaterThan(minOut - 5);
    }
  });

  it('does not use the setpoint', () => {
    const s: ThermalState = { indoorC: 30, humidity: 50, atMs: T0 };
    expect(stepThermal(s, { power: 'off', setpointC: 16 }, SAO_PAULO, T0 + HOUR)).toEqual(
      stepThermal(s, { power: 'off', setpointC: 30 }, SAO_PAULO, T0 + HOUR),
    );
  });

  it('after two days ends up within the outdoor range', () => {
    for (const indoorC of [45, -5]) {
      const end = run({ indoorC, humidity: 50, atMs: T0 }, OFF, SAO_PAULO, 48 * HOUR, 10 * MIN);
      expect(end.indoorC).toBeGreaterThanOrEqual(minOut);
      expect(end.indoorC).toBeLessThanOrEqual(maxOut);
    }
  });

  it('relaxes much more slowly than a running A/C', () => {
    const s: ThermalState = { indoorC: 40, humidity: 50, atMs: T0 };
    const on = stepThermal(s, ON(22), SAO_PAULO, T0 + 30 * MIN);
    const off = stepThermal(s, OFF, SAO_PAULO, T0 + 30 * MIN);
    expect(40 - on.indoorC).toBeGreaterThan(40 - off.indoorC);
    expect(off.indoorC).toBeLessThan(40);
  });
});

describe('outdoor temperature', () => {
  it('peaks at 15:00 and bottoms at 03:00 local solar time in São Paulo', () => {
    const peak = extremeMinute(SAO_PAULO, 'max');
    const trough = extremeMinute(SAO_PAULO, 'min');
    // São Paulo is 46.63° west: local solar 15:00 is about 18:07 UTC.
    expect(hourDistance(peak / HOUR, 15 + 46.6333 / 15)).toBeLessThan(2 / 60);
    expect(hourDistance(trough / HOUR, 3 + 46.6333 / 15)).toBeLessThan(2 / 60);
    expect(hourDistance(localSolarHour(T0 + peak, SAO_PAULO.lon), 15)).toBeLessThan(2 / 60);
    expect(hourDistance(localSolarHour(T0 + trough, SAO_PAULO.lon), 3)).toBeLessThan(2 / 60);
  });

  it('peaks at 15:00 UTC at Greenwich', () => {
    expect(hourDistance(extremeMinute(GREENWICH, 'max') / HOUR, 15)).toBeLessThan(2 / 60);
    expect(hourDistance(extremeMinute(GREENWICH, 'min') / HOUR, 3)).toBeLessThan(2 / 60);
  });

  it('swings by exactly dailySwing around meanTemp', () => {
    const peakAt = T0 + 15 * HOUR;
    const troughAt = T0 + 3 * HOUR;
    expect(outdoorTemperature(GREENWICH, peakAt)).toBeCloseTo(10 + 3, 9);
    expect(outdoorTemperature(GREENWICH, troughAt)).toBeCloseTo(10 - 3, 9);
    let max = -Infinity;
    let min = Infinity;
    for (let m = 0; m < 24 * 60; m++) {
      const t = outdoorTemperature(SAO_PAULO, T0 + m * MIN);
      max = Math.max(max, t);
      min = Math.min(min, t);
    }
    expect(max - min).toBeCloseTo(SAO_PAULO.climate.dailySwing, 4);
    expect((max + min) / 2).toBeCloseTo(SAO_PAULO.climate.meanTemp, 4);
  });

  it('repeats every 24 hours', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400 * 24 }), fc.double({ min: -180, max: 180, noNaN: true }), (h, lon) => {
        const site: Site = { climate: SAO_PAULO.climate, lon };
        const t = T0 + h * HOUR + 1234;
        expect(outdoorTemperature(site, t + 24 * HOUR)).toBeCloseTo(outdoorTemperature(site, t), 6);
      }),
    );
  });

  it('local solar hour is UTC hour + lon/15, wrapped into one day', () => {
    expect(localSolarHour(T0 + 12 * HOUR, 0)).toBe(12);
    expect(localSolarHour(T0 + 12 * HOUR, 90)).toBe(18);
    expect(localSolarHour(T0 + 2 * HOUR, -45)).toBe(23);
    fc.assert(
      fc.property(fc.integer({ min: -4e12, max: 4e12 }), fc.double({ min: -180, max: 180, noNaN: true }), (t, lon) => {
        const h = localSolarHour(t, lon);
        // (≤ 24 rather than < 24: a tiny negative hour rounds to 24 after wrapping, which is the same instant.)
        expect(h).toBeGreaterThanOrEqual(0);
        expect(h).toBeLessThanOrEqual(24);
        const turns = (t / HOUR + lon / 15 - h) / 24;
        expect(Math.abs(turns - Math.round(turns))).toBeLessThan(1e-6);
      }),
    );
  });

  it('outdoor humidity is lower in the afternoon than at dawn', () => {
    expect(outdoorHumidity(GREENWICH, T0 + 15 * HOUR)).toBeLessThan(outdoorHumidity(GREENWICH, T0 + 3 * HOUR));
  });
});

describe('humidity bounds', () => {
  it('stays within [0, 100] for any state, settings and time step', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -30, max: 60, noNaN: true }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        fc.constantFrom<'on' | 'off'>('on', 'off'),
        fc.double({ min: 16, max: 30, noNaN: true }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        fc.double({ min: -40, max: 50, noNaN: true }),
        fc.double({ min: 0, max: 30, noNaN: true }),
        fc.integer({ min: 0, max: 7 * 24 * HOUR }),
        (indoorC, humidity, power, setpointC, meanHumidity, meanTemp, dailySwing, dt) => {
          const site: Site = { climate: { meanTemp, dailySwing, humidity: meanHumidity }, lon: 0 };
          const next = stepThermal({ indoorC, humidity, atMs: T0 }, { power, setpointC }, site, T0 + dt);
          expect(next.humidity).toBeGreaterThanOrEqual(0);
          expect(next.humidity).toBeLessThanOrEqual(100);
          const reading = sensorReading(next, 7);
          expect(reading.humidity).toBeGreaterThanOrEqual(0);
          expect(reading.humidity).toBeLessThanOrEqual(100);
        },
      ),
    );
  });
});

describe('stepping', () => {
  it('is pure: the input state is not changed and the same call gives the same result', () => {
    const s: ThermalState = { indoorC: 28, humidity: 70, atMs: T0 };
    const copy = { ...s };
    const a = stepThermal(s, OFF, SAO_PAULO, T0 + HOUR);
    const b = stepThermal(s, OFF, SAO_PAULO, T0 + HOUR);
    expect(s).toEqual(copy);
    expect(a).toEqual(b);
  });

  it('composes with the power on: one step equals many small ones', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -10, max: 45, noNaN: true }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        fc.double({ min: 16, max: 30, noNaN: true }),
        fc.integer({ min: 1, max: 6 * HOUR }),
        fc.integer({ min: 2, max: 50 }),
        (indoorC, humidity, setpointC, total, pieces) => {
          const s: ThermalState = { indoorC, humidity, atMs: T0 };
          const once = stepThermal(s, ON(setpointC), SAO_PAULO, T0 + total);
          let many = s;
          for (let i = 1; i <= pieces; i++) many = stepThermal(many, ON(setpointC), SAO_PAULO, T0 + Math.round((total * i) / pieces));
          expect(many.atMs).toBe(once.atMs);
          expect(Math.abs(many.indoorC - once.indoorC)).toBeLessThan(0.05);
          expect(Math.abs(many.humidity - once.humidity)).toBeLessThan(0.05);
        },
      ),
    );
  });

  it('a zero-length or backwards step does not change the state', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -10, max: 45, noNaN: true }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        fc.integer({ min: 0, max: 48 * HOUR }),
        fc.constantFrom<'on' | 'off'>('on', 'off'),
        (indoorC, humidity, back, power) => {
          const s: ThermalState = { indoorC, humidity, atMs: T0 + 48 * HOUR };
          expect(stepThermal(s, { power, setpointC: 22 }, SAO_PAULO, s.atMs - back)).toEqual(s);
        },
      ),
    );
  });
});

describe('initial state and sensor readings', () => {
  it('the initial room is near the outdoor temperature and deterministic per device seed', () => {
    for (let seed = 0; seed < 50; seed++) {
      const s = initialThermalState(SAO_PAULO, T0, seed);
      expect(s).toEqual(initialThermalState(SAO_PAULO, T0, seed));
      expect(s.atMs).toBe(T0);
      expect(Math.abs(s.indoorC - outdoorTemperature(SAO_PAULO, T0))).toBeLessThanOrEqual(1.5);
      expect(s.humidity).toBe(outdoorHumidity(SAO_PAULO, T0));
    }
  });

  it('sensorReading is deterministic for (state, seed)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 0, max: 10 * 365 * 24 * HOUR }), (seed, dt) => {
        const s: ThermalState = { indoorC: 22.5, humidity: 50, atMs: T0 + dt };
        expect(sensorReading(s, seed)).toEqual(sensorReading({ ...s }, seed));
      }),
    );
  });

  it('sensor noise is bounded: ±0.15 °C and ±1 %', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.integer({ min: 0, max: 10 * 365 * 24 * HOUR }),
        fc.double({ min: -20, max: 50, noNaN: true }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        (seed, dt, indoorC, humidity) => {
          const r = sensorReading({ indoorC, humidity, atMs: T0 + dt }, seed);
          expect(Math.abs(r.tempC - indoorC)).toBeLessThanOrEqual(0.15 + 1e-9);
          expect(Math.abs(r.humidity - humidity)).toBeLessThanOrEqual(1 + 1e-9);
        },
      ),
    );
  });

  it('the noise really varies across seeds and seconds', () => {
    const temps = new Set<number>();
    for (let seed = 0; seed < 20; seed++) {
      for (let sec = 0; sec < 5; sec++) temps.add(sensorReading({ indoorC: 22, humidity: 50, atMs: T0 + sec * 1000 }, seed).tempC);
    }
    expect(temps.size).toBeGreaterThan(90);
  });

  it('readings within the same second are identical', () => {
    const a = sensorReading({ indoorC: 22, humidity: 50, atMs: T0 + 5000 }, 9);
    const b = sensorReading({ indoorC: 22, humidity: 50, atMs: T0 + 5999 }, 9);
    expect(a).toEqual(b);
  });
});
