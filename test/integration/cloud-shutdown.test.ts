import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CloudRuntime } from '../../src/cloud/runtime.js';
import { ScaledClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/log.js';
import { FleetPool } from '../../src/fleet/pool.js';
import { testFleetConfig } from '../helpers/fleet-config.js';
import { connectClient, eventually, nextMessage } from '../helpers/mqtt.js';

const dir = mkdtempSync(join(tmpdir(), 'acfleet-shutdown-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cloud shutdown', () => {
  it('stops while devices are still connected, and keeps the last shadow writes', async () => {
    const config = testFleetConfig({ alpha: 30, beta: 20 });
    const statePath = join(dir, 'state.db');
    const deviceSecret = randomBytes(16).toString('hex');
    const start = async (): Promise<CloudRuntime> => {
      const clock = new ScaledClock(config.speed);
      return CloudRuntime.start({ config, statePath, clock, clockEpoch: clock.epoch, deviceSecret, log: silentLogger() });
    };
    const cloud = await start();
    const pool = FleetPool.start({ config, brokerUrl: cloud.mqttUrl, deviceSecret, clockEpoch: cloud.clockEpoch, workers: 1, logLevel: 'silent', statsIntervalMs: 100 });
    try {
      await eventually(() => (pool.stats().counters.online === 50 ? true : undefined), '50 devices online');
      const operator = await connectClient(cloud.mqttUrl, { clientId: 'shutdown-operator' });
      await operator.subscribeAsync('$aws/things/Beta-00007/shadow/update/accepted');
      const accepted = nextMessage(operator, (_t, p) => p.toString().includes('last-write'));
      operator.publish('$aws/things/Beta-00007/shadow/update', JSON.stringify({ state: { desired: { ledColor: 'white' } }, clientToken: 'last-write' }));
      await accepted;
      // Devices and an operator are connected: closing must not wait for them to leave.
      await cloud.close();
      await eventually(() => (pool.stats().counters.online === 0 ? true : undefined), 'devices to notice the broker is gone');
    } finally {
      await pool.stop();
    }
    const again = await start();
    try {
      const doc = again.shadowStore.get('Beta-00007', '').doc;
      expect(doc?.state.desired).toEqual({ ledColor: 'white' });
      expect(again.thingCount).toBe(50);
    } finally {
      await again.close();
    }
  });
});
