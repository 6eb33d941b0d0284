import { randomBytes } from 'node:crypto';
import { CLOUD_USERNAME } from '../../src/broker/mosquitto-files.js';
import { fleetThings } from '../../src/cloud/registry/fleet-things.js';
import { CloudRuntime } from '../../src/cloud/runtime.js';
import type { FleetConfig } from '../../src/config/schema.js';
import { ScaledClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/log.js';
import { startMosquitto } from './mosquitto.js';

/** A broker with acfleet's cloud services attached, however it is run. */
export interface BrokerUnderTest {
  kind: 'aedes' | 'mosquitto';
  mqttUrl: string;
  cloud: CloudRuntime;
  config: FleetConfig;
  deviceSecret: string;
  stop(): Promise<void>;
}

export type BrokerFactory = (config: FleetConfig) => Promise<BrokerUnderTest>;

export const embeddedBroker: BrokerFactory = async (config) => {
  const deviceSecret = randomBytes(24).toString('base64url');
  const clock = new ScaledClock(config.speed);
  const cloud = await CloudRuntime.start({ config, statePath: ':memory:', clock, clockEpoch: clock.epoch, deviceSecret, log: silentLogger() });
  return { kind: 'aedes', mqttUrl: cloud.mqttUrl, cloud, config, deviceSecret, stop: () => cloud.close() };
};

/** A real mosquitto process with the generated ACL, and the cloud services connected to it over TCP. */
export const mosquittoBroker: BrokerFactory = async (base) => {
  const deviceSecret = randomBytes(24).toString('base64url');
  const cloudPassword = randomBytes(18).toString('base64url');
  const mosquitto = await startMosquitto({
    telemetryTemplate: base.telemetry.topic,
    thingNames: [...fleetThings(base)].map((t) => t.thingName),
    deviceSecret,
    cloudPassword,
  });
  const config: FleetConfig = { ...base, broker: { type: 'external', url: mosquitto.url } };
  const clock = new ScaledClock(config.speed);
  try {
    const cloud = await CloudRuntime.start({
      config,
      statePath: ':memory:',
      clock,
      clockEpoch: clock.epoch,
      deviceSecret,
      serviceCredentials: { username: CLOUD_USERNAME, password: cloudPassword },
      log: silentLogger(),
    });
    return {
      kind: 'mosquitto',
      mqttUrl: mosquitto.url,
      cloud,
      config,
      deviceSecret,
      stop: async () => {
        await cloud.close();
        await mosquitto.stop();
      },
    };
  } catch (e) {
    await mosquitto.stop();
    throw e;
  }
};
