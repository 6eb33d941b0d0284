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
});
