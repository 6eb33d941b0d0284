import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CloudRuntime } from '../../src/cloud/runtime.js';
import { ScaledClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/log.js';
import { testFleetConfig } from '../helpers/fleet-config.js';

const dir = mkdtempSync(join(tmpdir(), 'acfleet-growth-'));
const deviceSecret = randomBytes(16).toString('hex');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cloud(alpha: number): Promise<CloudRuntime> {
  const config = testFleetConfig({ alpha, beta: 1 });
  const clock = new ScaledClock(config.speed);
  return CloudRuntime.start({ config, statePath: join(dir, 'state.db'), clock, clockEpoch: clock.epoch, deviceSecret, log: silentLogger() });
}

describe('a fleet that grows between restarts', () => {
  it('queues a CONTINUOUS job for the devices added to its target group in fleet.yaml', async () => {
    const first = await cloud(2);
    const created = await first.jobs.control.createJob('grow', { targets: ['arn:aws:iot:::thinggroup/Alpha'], document: '{"ledColor":"green"}', targetSelection: 'CONTINUOUS' });
    expect(created.ok).toBe(true);
    const snapshot = await first.jobs.control.createJob('once', { targets: ['arn:aws:iot:::thinggroup/Alpha'], document: '{"ledColor":"green"}' });
    expect(snapshot.ok).toBe(true);
    await first.close();

    const second = await cloud(4);
    try {
      expect(second.jobs.store.find('grow', 'Alpha-00004')).toMatchObject({ status: 'QUEUED', executionNumber: 1 });
      expect(second.jobs.store.find('once', 'Alpha-00004')).toBeUndefined();
      expect(second.jobs.store.counts('grow').QUEUED).toBe(4);
    } finally {
      await second.close();
    }
  });
});
