/**
 * The brokers under test, started exactly as the integration tests start them: the embedded
 * aedes broker inside CloudRuntime, or a real mosquitto with acfleet's generated ACL and password
 * file and the cloud services connected to it over TCP.
 */
import { embeddedBroker, mosquittoBroker, type BrokerUnderTest } from '../../test/helpers/brokers.js';
import { hasMosquitto } from '../../test/helpers/mosquitto.js';
import type { FleetConfig } from '../../src/config/schema.js';

export type BrokerKind = BrokerUnderTest['kind'];
export type { BrokerUnderTest };
export { hasMosquitto };

export function startBroker(kind: BrokerKind, config: FleetConfig): Promise<BrokerUnderTest> {
  return kind === 'aedes' ? embeddedBroker(config) : mosquittoBroker(config);
}

/** Runs `body` against a fresh broker and always tears the broker down. */
export async function withBroker<T>(kind: BrokerKind, config: FleetConfig, body: (b: BrokerUnderTest) => Promise<T>): Promise<T> {
  const b = await startBroker(kind, config);
  try {
    return await body(b);
  } finally {
    await b.stop();
  }
}
