import { describe, expect, it } from 'vitest';
import { BATCH_WALL_MS, FleetView, type DeviceView } from '../../src/cloud/fleet-view.js';
import { FakeClock } from '../../src/core/clock.js';
import { testFleetConfig } from '../helpers/fleet-config.js';

const msg = (body: unknown): Buffer => Buffer.from(JSON.stringify(body));

function viewOf(): { view: FleetView; clock: FakeClock; batches: DeviceView[][] } {
  const clock = new FakeClock();
  const view = new FleetView(testFleetConfig({ alpha: 2, beta: 1 }), clock);
  const batches: DeviceView[][] = [];
  view.onChanges((c) => batches.push(c));
  return { view, clock, batches };
}

describe('FleetView (the dashboard feed)', () => {
  it('starts with every fleet.yaml device, by group and city, offline', () => {
    const { view } = viewOf();
    const all = view.snapshot();
    expect(all.map((d) => d.thing)).toEqual(['Alpha-00001', 'Alpha-00002', 'Beta-00001']);
    expect(all[0]).toMatchObject({ group: 'Alpha', online: false });
    expect(typeof all[0]?.city).toBe('string');
  });

  it('follows shadow reports, telemetry and presence, and batches the changes', () => {
    const { view, clock, batches } = viewOf();
    view.handle('$aws/events/presence/connected/Alpha-00001', msg({ clientId: 'Alpha-00001', eventType: 'connected' }));
    view.handle('$aws/things/Alpha-00001/shadow/update/documents', msg({ previous: {}, current: { state: { reported: { ledColor: 'blue' } }, version: 3 } }));
    view.handle('dt/acfleet/somewhere/Alpha-00001/telemetry', msg({ thingName: 'Alpha-00001', temp: 21.5, humid: 60, tempUnit: 'celsius' }));
    view.handle('$aws/things/Beta-00001/shadow/update/documents', msg({ current: { state: { reported: { ledColor: 'green', tempUnit: 'celsius' } } } }));
    expect(batches).toHaveLength(0);
    clock.advance(BATCH_WALL_MS);
    expect(batches).toHaveLength(1);
    expect(batches[0]).toEqual([
      expect.objectContaining({ thing: 'Alpha-00001', online: true, led: 'blue', temp: 21.5, humid: 60, tempUnit: 'celsius' }),
      expect.objectContaining({ thing: 'Beta-00001', led: 'green', tempUnit: 'celsius' }),
    ]);
    clock.advance(10 * BATCH_WALL_MS);
    expect(batches).toHaveLength(1);
  });

  it('ignores what it cannot read, and learns things made over the API when they report', () => {
    const { view, clock, batches } = viewOf();
    // A broker that publishes presence events (the embedded one): reports alone do not make a thing online.
    view.handle('$aws/events/presence/disconnected/Beta-00001', msg({ clientId: 'Beta-00001', eventType: 'disconnected' }));
    clock.advance(BATCH_WALL_MS);
    batches.length = 0;
    view.handle('$aws/things/Alpha-00001/shadow/update/documents', Buffer.from('not json'));
    view.handle('dt/acfleet/x/y/telemetry', msg([1, 2]));
    view.handle('$aws/things/Alpha-00001/shadow/update/documents', msg({ current: { state: { desired: { ledColor: 'pink' } } } }));
    view.handle('$aws/things/Alpha-00001/shadow/update/accepted', msg({ state: { reported: { ledColor: 'pink' } } }));
    clock.advance(BATCH_WALL_MS);
    expect(batches).toHaveLength(0);
    view.handle('$aws/things/api-thing/shadow/update/documents', msg({ current: { state: { reported: { ledColor: 'red' } } } }));
    clock.advance(BATCH_WALL_MS);
    expect(batches[0]).toEqual([{ thing: 'api-thing', online: false, led: 'red' }]);
    expect(view.snapshot().at(-1)?.thing).toBe('api-thing');
  });
});

describe('FleetView: what the cloud already knows, and job executions', () => {
  it('names every fleet.yaml city with its place for the map', () => {
    const { view } = viewOf();
    expect(view.cities.map((c) => c.group)).toEqual(['Alpha', 'Beta']);
    for (const c of view.cities) {
      expect(c.lat).toBeGreaterThanOrEqual(-90);
      expect(c.lon).toBeLessThanOrEqual(180);
      expect(c.city.length).toBeGreaterThan(0);
    }
  });

  it('starts from stored shadows, newest executions and presence, without announcing them', () => {
    const { view, clock, batches } = viewOf();
    view.seed({
      reported: (t) => (t === 'Alpha-00001' ? { ledColor: 'green', tempUnit: 'celsius' } : undefined),
      newestExecution: (t) => (t === 'Beta-00001' ? { jobId: 'j1', status: 'IN_PROGRESS' } : undefined),
      online: (t) => t !== 'Alpha-00002',
    });
    const byThing = new Map(view.snapshot().map((d) => [d.thing, d]));
    expect(byThing.get('Alpha-00001')).toMatchObject({ led: 'green', tempUnit: 'celsius', online: true });
    expect(byThing.get('Alpha-00001')?.job).toBeUndefined();
    expect(byThing.get('Alpha-00002')).toMatchObject({ online: false });
    expect(byThing.get('Beta-00001')).toMatchObject({ job: { jobId: 'j1', status: 'IN_PROGRESS' }, online: true });
    clock.advance(BATCH_WALL_MS);
    expect(batches).toHaveLength(0);
  });

  it('follows each thing\'s newest execution, and says nothing when it did not change', () => {
    const { view, clock, batches } = viewOf();
    view.executionChanged('Alpha-00001', { jobId: 'j1', status: 'QUEUED' });
    view.executionChanged('Alpha-00001', { jobId: 'j1', status: 'IN_PROGRESS' });
    clock.advance(BATCH_WALL_MS);
    expect(batches).toEqual([[expect.objectContaining({ thing: 'Alpha-00001', job: { jobId: 'j1', status: 'IN_PROGRESS' } })]]);
    view.executionChanged('Alpha-00001', { jobId: 'j1', status: 'IN_PROGRESS' });
    clock.advance(BATCH_WALL_MS);
    expect(batches).toHaveLength(1);
    view.executionChanged('Alpha-00001', undefined);
    clock.advance(BATCH_WALL_MS);
    expect(batches[1]?.[0]?.job).toBeUndefined();
  });

  it('converts the last reading when the unit changes, so °F numbers never show as °C', () => {
    const { view, clock, batches } = viewOf();
    view.handle('dt/acfleet/x/Alpha-00001/telemetry', msg({ thingName: 'Alpha-00001', temp: 71.6, tempUnit: 'fahrenheit' }));
    view.handle('$aws/things/Alpha-00001/shadow/update/documents', msg({ current: { state: { reported: { tempUnit: 'celsius', ledColor: 'green' } } } }));
    clock.advance(BATCH_WALL_MS);
    expect(batches.at(-1)).toEqual([expect.objectContaining({ thing: 'Alpha-00001', temp: 22, tempUnit: 'celsius', led: 'green' })]);
    view.handle('$aws/things/Alpha-00001/shadow/update/documents', msg({ current: { state: { reported: { tempUnit: 'celsius', ledColor: 'blue' } } } }));
    clock.advance(BATCH_WALL_MS);
    expect(batches.at(-1)?.[0]).toMatchObject({ temp: 22, led: 'blue' });
  });

  it('without presence events (an external broker), counts a device online while it is heard, offline after three silent intervals', () => {
    const { view, clock, batches } = viewOf();
    const telemetry = (thing: string): void => view.handle(`dt/acfleet/x/${thing}/telemetry`, msg({ thingName: thing, temp: 20, tempUnit: 'celsius' }));
    const online = (): string[] => view.snapshot().filter((d) => d.online).map((d) => d.thing);
    telemetry('Alpha-00001');
    view.handle('$aws/things/Beta-00001/shadow/update/documents', msg({ current: { state: { reported: { ledColor: 'red' } } } }));
    clock.advance(BATCH_WALL_MS);
    expect(online()).toEqual(['Alpha-00001', 'Beta-00001']);
    // testFleetConfig's telemetry interval; Alpha-00001 keeps talking, Beta-00001 falls silent.
    const interval = 10_000;
    for (let t = 0; t < 4; t++) {
      clock.advance(interval);
      telemetry('Alpha-00001');
    }
    clock.advance(BATCH_WALL_MS);
    expect(online()).toEqual(['Alpha-00001']);
    expect(batches.flat().some((d) => d.thing === 'Beta-00001' && !d.online)).toBe(true);
    // The first presence event hands presence back to the broker.
    view.handle('$aws/events/presence/disconnected/Alpha-00001', msg({ clientId: 'Alpha-00001', eventType: 'disconnected' }));
    telemetry('Alpha-00001');
    clock.advance(BATCH_WALL_MS);
    expect(online()).toEqual([]);
    view.close();
  });
});
