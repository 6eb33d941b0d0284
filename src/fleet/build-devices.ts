import { resolveGroupFaults, type FaultsByGroup } from '../config/faults.js';
import type { FleetConfig } from '../config/schema.js';
import { hashString } from '../core/random.js';
import type { DeviceContext, GroupRuntime } from '../device/context.js';
import { createDeviceFaults } from '../device/faults.js';
import { firmwareVersionFor, locationId, thingNameFor } from '../device/identity.js';
import { Thermostat } from '../device/thermostat.js';

/** What each group's devices share; `faults` (by group name) wins over fleet.yaml's, e.g. the cloud's current ones. */
export function groupRuntimes(config: FleetConfig, faults?: FaultsByGroup): GroupRuntime[] {
  return config.groups.map((g, i) => ({
    name: g.name,
    locationId: locationId(g.location),
    site: { climate: g.location.climate, lon: g.location.lon },
    faults: createDeviceFaults(faults?.[g.name] ?? resolveGroupFaults(config, i), config.seed),
  }));
}

/**
 * Swaps the faults of the named groups. Devices read `group.faults` at each decision, so the new
 * settings apply from the next one; an execution already under way keeps the fate it drew.
 */
export function swapFaults(runtimes: readonly GroupRuntime[], faults: FaultsByGroup, seed: number): string[] {
  const swapped: string[] = [];
  for (const r of runtimes) {
    const f = faults[r.name];
    if (!f) continue;
    r.faults = createDeviceFaults(f, seed);
    swapped.push(r.name);
  }
  return swapped;
}

/** Thermostats for the given [group, index] slots; identities are pure functions of (config, slot). */
export function buildThermostats(config: FleetConfig, slots: Int32Array, ctx: DeviceContext, runtimes: readonly GroupRuntime[] = groupRuntimes(config)): Thermostat[] {
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
