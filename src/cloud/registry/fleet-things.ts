import type { FleetConfig, GroupConfig } from '../../config/schema.js';
import { deviceAttributes, locationId, thingNameFor } from '../../device/identity.js';
import { telemetryTopic } from '../../device/telemetry.js';

export interface FleetThing {
  thingName: string;
  groupName: string;
  telemetryTopic: string;
}

/** The thing type fleet things are registered under: AWS allows only 3 attributes on an untyped thing. */
export const FLEET_THING_TYPE = 'acfleet-thermostat';

/** Every device of the configured fleet (all shards), in fleet order, with where it came from. */
function* fleetSlots(config: FleetConfig): Generator<{ thing: FleetThing; group: GroupConfig; index: number; location: string }> {
  for (const group of config.groups) {
    const location = locationId(group.location);
    for (let index = 0; index < group.count; index++) {
      const thingName = thingNameFor(group, index);
      yield { thing: { thingName, groupName: group.name, telemetryTopic: telemetryTopic(config.telemetry.topic, thingName, location) }, group, index, location };
    }
  }
}

/** Every thing the configured fleet has (all shards), in fleet order. */
export function* fleetThings(config: FleetConfig): Generator<FleetThing> {
  for (const s of fleetSlots(config)) yield s.thing;
}

/**
 * Registry records for the configured fleet. Attributes (a faker run each) are computed only for
 * things the registry does not know yet, so a restart with 20,000 things stays fast.
 */
export function* fleetThingRecords(
  config: FleetConfig,
  isRegistered: (thingName: string) => boolean,
): Generator<FleetThing & { attributes: Record<string, string> }> {
  for (const { thing, group, index, location } of fleetSlots(config)) {
    const attributes = isRegistered(thing.thingName) ? {} : { ...deviceAttributes(config.seed, group, index), location };
    yield { ...thing, attributes };
  }
}
