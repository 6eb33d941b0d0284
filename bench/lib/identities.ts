/** The logins and topics of the fleet's things, for baseline clients that stand in for devices. */
import type { FleetConfig, TempUnit } from '../../src/config/schema.js';
import { devicePassword } from '../../src/core/device-password.js';
import { locationId, thingNameFor } from '../../src/device/identity.js';
import { telemetryTopic } from '../../src/device/telemetry.js';

export interface BenchIdentity {
  thingName: string;
  password: string;
  location: string;
  tempUnit: TempUnit;
  telemetryTopic: string;
}

/**
 * Baseline clients log in as the very same things, with their device passwords, so the broker
 * does the same authentication and ACL work for them as for acfleet's devices.
 */
export function benchIdentities(config: FleetConfig, deviceSecret: string): BenchIdentity[] {
  const out: BenchIdentity[] = [];
  for (const g of config.groups) {
    const location = locationId(g.location);
    for (let i = 0; i < g.count; i++) {
      const thingName = thingNameFor(g, i);
      out.push({
        thingName,
        password: devicePassword(deviceSecret, thingName),
        location,
        tempUnit: g.initialState.tempUnit,
        telemetryTopic: telemetryTopic(config.telemetry.topic, thingName, location),
      });
    }
  }
  return out;
}

/** Contiguous, near-equal slices, as FleetPool splits devices over its workers. */
export function splitEvenly<T>(items: readonly T[], parts: number): T[][] {
  const out: T[][] = [];
  let start = 0;
  for (let p = 0; p < parts; p++) {
    const n = Math.floor(items.length / parts) + (p < items.length % parts ? 1 : 0);
    out.push(items.slice(start, start + n));
    start += n;
  }
  return out;
}
