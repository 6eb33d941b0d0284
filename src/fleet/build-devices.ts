import type { FleetConfig } from '../config/schema.js';
import { hashString } from '../core/random.js';
import type { DeviceContext, GroupRuntime } from '../device/context.js';
import { firmwareVersionFor, locationId, thingNameFor } from '../device/identity.js';
import { Thermostat } from '../device/thermostat.js';

export function groupRuntimes(config: FleetConfig): GroupRuntime[] {
  return config.groups.map((g) => ({
    name: g.name,
    locationId: locationId(g.location),
    site: { climate: g.location.climate, lon: g.location.lon },
  }));
}

/** Thermostats for the given [group, index] slots; identities are pure functions of (config, slot). */
export function buildThermostats(config: FleetConfig, slots: Int32Array, ctx: DeviceContext): Thermostat[] {
  const runtimes = groupRuntimes(config);
  const out: Thermostat[] = [];
  for (let k = 0; k < slots.length; k += 2) {
    const gi = slots[k] as number;
    const index = slots[k + 1] as number;
    const group = config.groups[gi];
    const runtime = runtimes[gi];
    if (!group || !runtime) continue;
    const init = group.initialState;
    out.push(
      new Thermostat(
        {
          thingName: thingNameFor(group, index),
          deviceSeed: hashString(`${config.seed}/${group.name}/${index}`),
          group: runtime,
          settings: { ledColor: init.ledColor, tempUnit: init.tempUnit, setpoint: init.setpoint, power: init.power },
          firmwareVersion: firmwareVersionFor(config.seed, group, index),
        },
        ctx,
      ),
    );
  }
  return out;
}
