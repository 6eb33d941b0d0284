import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devicePassword } from '../../src/core/device-password.js';
import { FleetPool } from '../../src/fleet/pool.js';
import { embeddedBroker, type BrokerUnderTest } from '../helpers/brokers.js';
import { testFleetConfig } from '../helpers/fleet-config.js';
import { connectClient, eventually, nextMessage } from '../helpers/mqtt.js';

/**
 * The same devices on aws-iot-device-sdk-v2 (aws-crt), the client they use against AWS IoT
 * Core, here over plain TCP to the local broker with the same per-device logins.
 */
describe('devices on aws-iot-device-sdk-v2', () => {
  let b: BrokerUnderTest;
  let pool: FleetPool;
  let operator: MqttClient;
  const config = testFleetConfig({ alpha: 6, beta: 4 });

  beforeAll(async () => {
    b = await embeddedBroker(config);
    const url = new URL(b.mqttUrl);
    pool = FleetPool.start({
      config,
      brokerUrl: b.mqttUrl,
      transport: { kind: 'aws-crt', target: { kind: 'plain', host: url.hostname, port: Number(url.port) } },
      deviceSecret: b.deviceSecret,
      clockEpoch: b.cloud.clockEpoch,
      workers: 1,
      logLevel: 'silent',
      statsIntervalMs: 100,
    });
    operator = await connectClient(b.mqttUrl, { clientId: 'crt-operator' });
  });

  afterAll(async () => {
    await operator?.endAsync(true);
    await pool?.stop();
    await b?.stop();
  });

  it('connect with their device passwords and publish telemetry', async () => {
    await eventually(() => (pool.stats().counters.online === 10 ? true : undefined), '10 aws-crt devices online', 20_000);
    expect(b.cloud.onlineDevices).toBe(10);
    await operator.subscribeAsync('dt/acfleet/london/#');
    const m = await nextMessage(operator, () => true);
    expect(m.json).toMatchObject({ tempUnit: 'celsius', location: 'london' });
  });

  it('come back after the broker drops them (a second login with the same client id)', async () => {
    const thing = 'Alpha-00003';
    await eventually(() => (pool.stats().counters.online === 10 ? true : undefined), '10 aws-crt devices online', 20_000);
    const connectsBefore = pool.stats().counters.connects;
    // AWS IoT semantics, which aedes shares: the newer connection with the id wins.
    const usurper = await connectClient(b.mqttUrl, { clientId: thing, username: thing, password: devicePassword(b.deviceSecret, thing) });
    await usurper.endAsync(true);
    await eventually(() => (pool.stats().counters.connects > connectsBefore && pool.stats().counters.online === 10 ? true : undefined), 'the dropped device back online', 30_000);
  });

  it('apply a desired ledColor from their shadow delta and report it', async () => {
    const thing = 'Beta-00002';
    await operator.subscribeAsync(`$aws/things/${thing}/shadow/update/accepted`);
    const reported = nextMessage(operator, (_t, p) => p.toString().includes('"reported":{"ledColor":"yellow"}'));
    operator.publish(`$aws/things/${thing}/shadow/update`, JSON.stringify({ state: { desired: { ledColor: 'yellow' } } }));
    await reported;
  });
});
