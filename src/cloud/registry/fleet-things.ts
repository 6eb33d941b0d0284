import type { FleetConfig } from '../../config/schema.js';
import { deviceAttributes, locationId, thingNameFor } from '../../device/identity.js';
import { telemetryTopic } from '../../device/telemetry.js';

export interface FleetThing {
  thingName: string;
  groupName: string;
  telemetryTopic: string;
}

/** Every thing the configured fleet has (all shards), in fleet order. */
export function* fleetThings(config: FleetConfig): Generator<FleetThing> {
  for (const g of config.groups) {
    const loc = locationId(g.location);
    for (let i = 0; i < g.count; i++) {
      const thingName = thingNameFor(g, i);
      yield { thingName, groupName: g.name, telemetryTopic: telemetryTopic(config.telemetry.topic, thingName, loc) };
    }
  }
}

/** The thing type fleet things are registered under: AWS allows only 3 attributes on an untyped thing. */
export const FLEET_THING_TYPE = 'acfleet-thermostat';

/**
 * Registry records for the configured fleet. Attributes (a faker run each) are computed only for
 * things the registry does not know yet, so a restart with 20,000 things stays fast.
 */
export function* fleetThingRecords(
  config: FleetConfig,
  isRegistered: (thingName: string) => boolean,
): Generator<FleetThing & { attributes: Record<string, string> }> {
  for (const g of config.groups) {
    const loc = locationId(g.location);
    for (let i = 0; i < g.count; i++) {
      const thingName = thingNameFor(g, i);
      const attributes = isRegistered(thingName) ? {} : { ...deviceAttributes(config.seed, g, i), location: loc };
      yield { thingName, groupName: g.name, telemetryTopic: telemetryTopic(config.telemetry.topic, thingName, loc), attributes };
    }
  }
}
