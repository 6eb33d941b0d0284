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
