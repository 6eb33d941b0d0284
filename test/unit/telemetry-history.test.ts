import { describe, expect, it } from 'vitest';
import { BATCH_WALL_MS, FleetView } from '../../src/cloud/fleet-view.js';
import { TelemetryHistory } from '../../src/cloud/telemetry-history.js';
import { FakeClock } from '../../src/core/clock.js';
import { testFleetConfig } from '../helpers/fleet-config.js';

const T0 = 1_760_000_000;

describe('TelemetryHistory (the device page sparkline)', () => {
  it('gives a device its points oldest first, with humidity and unit', () => {
    const h = new TelemetryHistory({ pointsPerDevice: 5 });
    h.record('a', { atSec: T0, temp: 21.53, humid: 60.25, tempUnit: 'celsius' });
    h.record('a', { atSec: T0 + 10, temp: 70.7, tempUnit: 'fahrenheit' });
    h.record('a', { atSec: T0 + 20, temp: 22, humid: 58 });
    expect(h.series('a')).toEqual({
      at: [T0, T0 + 10, T0 + 20],
      temp: [21.53, 70.7, 22],
      humid: [60.25, null, 58],
      tempUnit: ['celsius', 'fahrenheit', null],
    });
  });

  it('keeps only the newest pointsPerDevice points, in order, across many wraparounds', () => {
    const h = new TelemetryHistory({ pointsPerDevice: 4 });
    for (let k = 0; k < 4; k++) h.record('a', { atSec: T0 + k, temp: k });
    expect(h.series('a').temp).toEqual([0, 1, 2, 3]);
    h.record('a', { atSec: T0 + 4, temp: 4 });
    expect(h.series('a').temp).toEqual([1, 2, 3, 4]);
    for (let k = 5; k < 23; k++) h.record('a', { atSec: T0 + k, temp: k });
    expect(h.series('a')).toMatchObject({ at: [T0 + 19, T0 + 20, T0 + 21, T0 + 22], temp: [19, 20, 21, 22] });
  });

  it('allocates a ring only for a device that reports, and caps how many devices it keeps', () => {
    const h = new TelemetryHistory({ pointsPerDevice: 3, maxDevices: 2 });
    expect(h.devices).toBe(0);
    expect(h.series('never')).toEqual({ at: [], temp: [], humid: [], tempUnit: [] });
    expect(h.devices).toBe(0);
    h.record('a', { atSec: T0, temp: 1 });
    h.record('b', { atSec: T0, temp: 2 });
    h.record('c', { atSec: T0, temp: 3 });
    expect(h.devices).toBe(2);
    expect(h.series('c').temp).toEqual([]);
    h.record('a', { atSec: T0 + 1, temp: 1.5 });
    expect(h.series('a').temp).toEqual([1, 1.5]);
    expect(h.series('b').temp).toEqual([2]);
    h.forget('a');
    h.record('c', { atSec: T0, temp: 3 });
    expect(h.series('c').temp).toEqual([3]);
  });

  it('drops a point older than the newest (QoS 0 reorders) and readings it cannot store', () => {
    const h = new TelemetryHistory({ pointsPerDevice: 5 });
    h.record('a', { atSec: T0 + 10, temp: 1 });
    h.record('a', { atSec: T0 + 5, temp: 2 });
    h.record('a', { atSec: T0 + 10, temp: 3 });
    h.record('a', { atSec: Number.NaN, temp: 4 });
    h.record('a', { atSec: T0 + 20, temp: Number.POSITIVE_INFINITY });
    h.record('a', { atSec: -1, temp: 5 });
    expect(h.series('a')).toMatchObject({ at: [T0 + 10, T0 + 10], temp: [1, 3] });
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new TelemetryHistory({ pointsPerDevice: 0 })).toThrow(RangeError);
  });
});

describe('FleetView feeds the history from the telemetry it hears', () => {
  const msg = (body: unknown): Buffer => Buffer.from(JSON.stringify(body));

  it('records each reading under its thing, at the telemetry timestamp or else the cloud clock', () => {
    const clock = new FakeClock(T0 * 1000);
    const view = new FleetView(testFleetConfig({ alpha: 2, beta: 1 }), clock, new TelemetryHistory({ pointsPerDevice: 3 }));
    view.handle('dt/acfleet/x/Alpha-00001/telemetry', msg({ thingName: 'Alpha-00001', temp: 21.5, humid: 60, tempUnit: 'celsius', timestamp: T0 - 30 }));
    clock.advance(BATCH_WALL_MS);
    view.handle('dt/acfleet/x/Alpha-00001/telemetry', msg({ thingName: 'Alpha-00001', temp: 70.9, humid: 61, tempUnit: 'fahrenheit' }));
    // Not telemetry: shadow documents and unreadable payloads leave the history alone.
    view.handle('$aws/things/Alpha-00001/shadow/update/documents', msg({ current: { state: { reported: { temp: 99 } } } }));
    view.handle('dt/acfleet/x/Alpha-00002/telemetry', msg({ thingName: 'Alpha-00002', temp: 'warm' }));
    expect(view.history.series('Alpha-00001')).toEqual({ at: [T0 - 30, T0], temp: [21.5, 70.9], humid: [60, 61], tempUnit: ['celsius', 'fahrenheit'] });
    expect(view.history.devices).toBe(1);
    expect(view.get('Alpha-00001')).toMatchObject({ temp: 70.9, tempUnit: 'fahrenheit' });
    expect(view.get('nobody')).toBeUndefined();
  });
});
