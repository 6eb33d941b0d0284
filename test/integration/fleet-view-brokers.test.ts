/**
 * The dashboard's view of the fleet on both brokers (issue 7: "so it works with an external broker
 * too"): a device's telemetry reaches FleetView as an operator hears it, and presence follows the
 * device, from lifecycle events on the embedded broker and from silence on mosquitto, which
 * publishes none.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleetThings } from '../../src/cloud/registry/fleet-things.js';
import { devicePassword } from '../../src/core/device-password.js';
import { embeddedBroker, mosquittoBroker, type BrokerFactory, type BrokerUnderTest } from '../helpers/brokers.js';
import { testFleetConfig } from '../helpers/fleet-config.js';
import { announceMosquittoSkip, hasMosquitto } from '../helpers/mosquitto.js';
import { connectClient, eventually } from '../helpers/mqtt.js';

announceMosquittoSkip('the dashboard fleet view: mosquitto');

function fleetViewSuite(factory: BrokerFactory): void {
  let b: BrokerUnderTest;
  beforeAll(async () => {
    // Speed 60: three silent 10 s telemetry intervals pass in half a wall second.
    b = await factory(testFleetConfig({ alpha: 2, beta: 1, speed: 60 }));
  });
  afterAll(async () => {
    await b?.stop();
  });

  it('shows a device online with its reading while it talks, and offline once it is gone', async () => {
    const thing = 'Alpha-00002';
    const topic = [...fleetThings(b.config)].find((t) => t.thingName === thing)?.telemetryTopic ?? '';
    const device = await connectClient(b.mqttUrl, { clientId: thing, username: thing, password: devicePassword(b.deviceSecret, thing) });
    const publish = (): Promise<unknown> => device.publishAsync(topic, JSON.stringify({ thingName: thing, temp: 21.5, humid: 40, tempUnit: 'celsius' }));
    try {
      await publish();
      const seen = await eventually(() => {
        const d = b.cloud.view.get(thing);
        return d?.online && d.temp === 21.5 ? d : undefined;
      }, `${thing} online with its reading`);
      expect(seen).toMatchObject({ group: 'Alpha', tempUnit: 'celsius', humid: 40 });
      expect(b.cloud.view.get('Alpha-00001')?.online).toBe(false);
    } finally {
      await device.endAsync(true);
    }
    await eventually(() => (b.cloud.view.get(thing)?.online === false ? true : undefined), `${thing} offline after it left`);
  });
}

describe('the dashboard fleet view: embedded aedes', () => fleetViewSuite(embeddedBroker));
describe.skipIf(!hasMosquitto)('the dashboard fleet view: mosquitto', () => fleetViewSuite(mosquittoBroker));
