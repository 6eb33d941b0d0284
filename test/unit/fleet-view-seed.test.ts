import { describe, expect, it } from 'vitest';
import { BATCH_WALL_MS, FleetView, type DeviceView } from '../../src/cloud/fleet-view.js';
import { FakeClock } from '../../src/core/clock.js';
import { testFleetConfig } from '../helpers/fleet-config.js';

function viewOf(): { view: FleetView; clock: FakeClock; batches: DeviceView[][] } {
  const clock = new FakeClock();
  const view = new FleetView(testFleetConfig({ alpha: 2, beta: 1 }), clock);
  const batches: DeviceView[][] = [];
  view.onChanges((c) => batches.push(c));
  return { view, clock, batches };
}

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
    const msg = (body: unknown): Buffer => Buffer.from(JSON.stringify(body));
    view.handle('dt/acfleet/x/Alpha-00001/telemetry', msg({ thingName: 'Alpha-00001', temp: 71.6, tempUnit: 'fahrenheit' }));
    view.handle('$aws/things/Alpha-00001/shadow/update/documents', msg({ current: { state: { reported: { tempUnit: 'celsius', ledColor: 'green' } } } }));
    clock.advance(BATCH_WALL_MS);
    expect(batches.at(-1)).toEqual([expect.objectContaining({ thing: 'Alpha-00001', temp: 22, tempUnit: 'celsius', led: 'green' })]);
    view.handle('$aws/things/Alpha-00001/shadow/update/documents', msg({ current: { state: { reported: { tempUnit: 'celsius', ledColor: 'blue' } } } }));
    clock.advance(BATCH_WALL_MS);
    expect(batches.at(-1)?.[0]).toMatchObject({ temp: 22, led: 'blue' });
  });
});
