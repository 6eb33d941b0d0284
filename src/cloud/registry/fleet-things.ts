import type { FleetConfig } from '../../config/schema.js';
import { locationId, thingNameFor } from '../../device/identity.js';
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
