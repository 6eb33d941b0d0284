import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { deviceAttributes, deviceIdentity, locationId, thingNameFor } from '../../src/device/identity.js';
import { celsiusFrom, displayTemperature, round2, telemetryPayload, telemetryTopic } from '../../src/device/telemetry.js';
import { applyDesired, restoreReported, type Settings } from '../../src/device/settings.js';
import { LED_COLORS, type GroupConfig } from '../../src/config/schema.js';

const SAO_PAULO: GroupConfig = {
  name: 'SaoPaulo',
  count: 60,
  thingNamePrefix: 'SaoPaulo',
  location: { city: 'São Paulo', country: 'BR', lat: -23.5505, lon: -46.6333, climate: { meanTemp: 21, dailySwing: 9, humidity: 78 } },
  initialState: { ledColor: 'red', tempUnit: 'fahrenheit', setpoint: 22, power: 'on' },
};

const NEW_YORK: GroupConfig = {
  name: 'NewYork',
  count: 40,
  location: { city: 'New York', country: 'US', lat: 40.7128, lon: -74.006, climate: { meanTemp: 12, dailySwing: 8, humidity: 63 } },
  initialState: { ledColor: 'red', tempUnit: 'fahrenheit', setpoint: 21, power: 'on' },
};

const SETTINGS: Settings = { ledColor: 'red', tempUnit: 'fahrenheit', setpoint: 22, power: 'on' };

describe('thingNameFor', () => {
  it('numbers devices from 00001 with the group prefix', () => {
    expect(thingNameFor(SAO_PAULO, 0)).toBe('SaoPaulo-00001');
    expect(thingNameFor(SAO_PAULO, 41)).toBe('SaoPaulo-00042');
    expect(thingNameFor(SAO_PAULO, 99_998)).toBe('SaoPaulo-99999');
  });

  it('uses the group name when there is no prefix', () => {
    expect(thingNameFor(NEW_YORK, 0)).toBe('NewYork-00001');
    expect(thingNameFor({ name: 'Lab', thingNamePrefix: 'ac' }, 2)).toBe('ac-00003');
  });

  it('gives distinct names to distinct indices', () => {
    const names = new Set(Array.from({ length: 1000 }, (_, i) => thingNameFor(SAO_PAULO, i)));
    expect(names.size).toBe(1000);
  });
});

describe('deviceAttributes', () => {
  it('is deterministic, even when calls are interleaved with other devices', () => {
    const first = deviceAttributes(42, SAO_PAULO, 5);
    deviceAttributes(7, NEW_YORK, 3);
    deviceAttributes(42, SAO_PAULO, 6);
    expect(deviceAttributes(42, SAO_PAULO, 5)).toEqual(first);

    const forward = Array.from({ length: 20 }, (_, i) => deviceAttributes(1, NEW_YORK, i));
    const backward = Array.from({ length: 20 }, (_, i) => deviceAttributes(1, NEW_YORK, 19 - i)).reverse();
    expect(backward).toEqual(forward);
  });

  it('differs across index and seed', () => {
    const serials = new Set(Array.from({ length: 200 }, (_, i) => deviceAttributes(42, SAO_PAULO, i).serialNumber));
    expect(serials.size).toBe(200);
    expect(deviceAttributes(1, SAO_PAULO, 0)).not.toEqual(deviceAttributes(2, SAO_PAULO, 0));
    expect(deviceAttributes(1, SAO_PAULO, 0).serialNumber).not.toBe(deviceAttributes(1, NEW_YORK, 0).serialNumber);
  });

  it('has a well-formed serial, a known model and firmware, and an address in the city', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.nat({ max: 100_000 }), fc.boolean(), (seed, index, sp) => {
        const group = sp ? SAO_PAULO : NEW_YORK;
        const a = deviceAttributes(seed, group, index);
        expect(a.serialNumber).toMatch(/^AC[A-Z0-9]{10}$/);
        expect(a.model.length).toBeGreaterThan(0);
        expect(a.firmwareVersion).toMatch(/^\d+\.\d+\.\d+$/);
        expect(a.address).toContain(group.location.city);
        expect(a.address.endsWith(`, ${group.location.city}, ${group.location.country}`)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('deviceIdentity bundles the name, index, group and attributes', () => {
    expect(deviceIdentity(42, SAO_PAULO, 0)).toEqual({
      thingName: 'SaoPaulo-00001',
      index: 0,
      groupName: 'SaoPaulo',
      attributes: deviceAttributes(42, SAO_PAULO, 0),
    });
  });
});

describe('locationId', () => {
  it('slugs the city, dropping accents', () => {
    expect(locationId(SAO_PAULO.location)).toBe('sao-paulo');
    expect(locationId(NEW_YORK.location)).toBe('new-york');
    expect(locationId({ ...SAO_PAULO.location, city: '  Zürich (Altstadt) ' })).toBe('zurich-altstadt');
  });

  it('honours an explicit id', () => {
    expect(locationId({ ...SAO_PAULO.location, id: 'sp-1' })).toBe('sp-1');
  });

  it('yields only characters allowed in a topic level', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 30 }), (city) => {
        expect(locationId({ ...SAO_PAULO.location, city })).toMatch(/^[a-z0-9-]*$/);
      }),
    );
  });
});

describe('telemetry', () => {
  it('converts to fahrenheit the workshop way', () => {
    expect(displayTemperature(25, 'fahrenheit')).toBe(77);
    expect(displayTemperature(0, 'fahrenheit')).toBe(32);
    expect(displayTemperature(-40, 'fahrenheit')).toBe(-40);
    expect(displayTemperature(22.123, 'fahrenheit')).toBe(71.82);
  });

  it('passes celsius through, rounded to 2 decimals', () => {
    expect(displayTemperature(22.456, 'celsius')).toBe(22.46);
    expect(displayTemperature(21, 'celsius')).toBe(21);
  });

  it('fahrenheit is exactly 1.8 * t + 32 rounded to 2 decimals; celsius is t rounded', () => {
    fc.assert(
      fc.property(fc.double({ min: -60, max: 80, noNaN: true }), (t) => {
        expect(displayTemperature(t, 'fahrenheit')).toBe(Math.round((1.8 * t + 32) * 100) / 100);
        expect(displayTemperature(t, 'celsius')).toBe(Math.round(t * 100) / 100);
        expect(Math.abs(displayTemperature(t, 'celsius') - t)).toBeLessThanOrEqual(0.005 + 1e-9);
        expect(celsiusFrom(1.8 * t + 32, 'fahrenheit')).toBeCloseTo(t, 9);
        expect(celsiusFrom(t, 'celsius')).toBe(t);
      }),
    );
  });

  it('round2 rounds to hundredths', () => {
    expect(round2(3.14159)).toBe(3.14);
    expect(round2(-1.236)).toBe(-1.24);
    expect(round2(7)).toBe(7);
  });

  it('telemetryTopic fills the template', () => {
    expect(telemetryTopic('dt/acfleet/{location}/{thingName}/telemetry', 'SaoPaulo-00001', 'sao-paulo')).toBe(
      'dt/acfleet/sao-paulo/SaoPaulo-00001/telemetry',
    );
    expect(telemetryTopic('t/{thingName}/{thingName}', 'A', 'x')).toBe('t/A/A');
    expect(telemetryTopic('plain/{thingName}', 'A', 'x')).toBe('plain/A');
  });

  it('the payload is the message as JSON', () => {
    const m = { temp: 77, humid: 50.5, tempUnit: 'fahrenheit' as const, thingName: 'SaoPaulo-00001', location: 'sao-paulo', timestamp: 1_767_225_600 };
    expect(JSON.parse(telemetryPayload(m))).toEqual(m);
  });
});

describe('applyDesired', () => {
  it('applies valid values of every setting', () => {
    const out = applyDesired(SETTINGS, { ledColor: 'green', tempUnit: 'celsius', setpoint: 18.5, power: 'off' });
    expect(out.settings).toEqual({ ledColor: 'green', tempUnit: 'celsius', setpoint: 18.5, power: 'off' });
    expect(out.applied).toEqual({ ledColor: 'green', tempUnit: 'celsius', setpoint: 18.5, power: 'off' });
    expect(out.refused).toEqual([]);
  });

  it('accepts every LED colour and the setpoint limits', () => {
    for (const c of LED_COLORS) expect(applyDesired(SETTINGS, { ledColor: c }).settings.ledColor).toBe(c);
    expect(applyDesired(SETTINGS, { setpoint: 16 }).settings.setpoint).toBe(16);
    expect(applyDesired(SETTINGS, { setpoint: 30 }).settings.setpoint).toBe(30);
  });

  it('refuses unknown keys, naming them', () => {
    const out = applyDesired(SETTINGS, { fanSpeed: 3 });
    expect(out.settings).toEqual(SETTINGS);
    expect(out.applied).toEqual({});
    expect(out.refused).toHaveLength(1);
    expect(out.refused[0]).toContain('fanSpeed');
  });

  it.each([
    ['ledColor', 'pink'],
    ['ledColor', 3],
    ['ledColor', null],
    ['tempUnit', 'kelvin'],
    ['power', true],
    ['power', 'ON'],
    ['setpoint', 15.9],
    ['setpoint', 30.1],
    ['setpoint', '22'],
    ['setpoint', Number.NaN],
    ['setpoint', null],
  ])('refuses %s = %j with a reason naming the key', (key, value) => {
    const out = applyDesired(SETTINGS, { [key]: value });
    expect(out.settings).toEqual(SETTINGS);
    expect(out.applied).toEqual({});
    expect(out.refused).toHaveLength(1);
    expect(out.refused[0]?.startsWith(key)).toBe(true);
  });

  it('a bad colour lists the allowed colours', () => {
    const reason = applyDesired(SETTINGS, { ledColor: 'pink' }).refused[0] ?? '';
    for (const c of LED_COLORS) expect(reason).toContain(c);
  });

  it('applies the valid keys and refuses the rest of a mixed request', () => {
    const out = applyDesired(SETTINGS, { ledColor: 'blue', setpoint: 99, mode: 'cool' });
    expect(out.settings).toEqual({ ...SETTINGS, ledColor: 'blue' });
    expect(out.applied).toEqual({ ledColor: 'blue' });
    expect(out.refused).toHaveLength(2);
  });

  it('never mutates its inputs (property)', () => {
    const settingsArb = fc.record({
      ledColor: fc.constantFrom(...LED_COLORS),
      tempUnit: fc.constantFrom('fahrenheit' as const, 'celsius' as const),
      setpoint: fc.integer({ min: 16, max: 30 }),
      power: fc.constantFrom('on' as const, 'off' as const),
    });
    const desiredArb = fc.dictionary(
      fc.constantFrom('ledColor', 'tempUnit', 'setpoint', 'power', 'other'),
      fc.oneof(fc.constantFrom<unknown>('green', 'celsius', 'off', 'pink', null), fc.integer({ min: 0, max: 40 })),
    );
    fc.assert(
      fc.property(settingsArb, desiredArb, (current, desired) => {
        const currentCopy = structuredClone(current);
        const desiredCopy = structuredClone(desired);
        const out = applyDesired(current, desired);
        expect(current).toEqual(currentCopy);
        expect(desired).toEqual(desiredCopy);
        expect(out.settings).not.toBe(current);
        // Every key is either applied or refused.
        expect(Object.keys(out.applied).length + out.refused.length).toBe(Object.keys(desired).length);
        for (const [k, v] of Object.entries(out.applied)) expect(out.settings[k as keyof Settings]).toBe(v);
      }),
    );
  });
});

describe('restoreReported', () => {
  it('restores valid reported settings', () => {
    expect(restoreReported(SETTINGS, { ledColor: 'purple', tempUnit: 'celsius', setpoint: 25, power: 'off' })).toEqual({
      ledColor: 'purple',
      tempUnit: 'celsius',
      setpoint: 25,
      power: 'off',
    });
  });

  it('ignores unknown and invalid keys', () => {
    const reported = { ledColor: 'pink', setpoint: 50, firmwareVersion: '1.0.4', connected: true, tempUnit: 'celsius' };
    const copy = structuredClone(reported);
    expect(restoreReported(SETTINGS, reported)).toEqual({ ...SETTINGS, tempUnit: 'celsius' });
    expect(reported).toEqual(copy);
  });

  it('with nothing reported keeps the current settings, as a copy', () => {
    const out = restoreReported(SETTINGS, {});
    expect(out).toEqual(SETTINGS);
    expect(out).not.toBe(SETTINGS);
  });
});
