import { Faker, en, base } from '@faker-js/faker';
import { hashInts, hashString } from '../core/random.js';
import type { GroupConfig, LocationConfig } from '../config/schema.js';

export interface DeviceAttributes {
  serialNumber: string;
  model: string;
  firmwareVersion: string;
  address: string;
}

export interface DeviceIdentity {
  thingName: string;
  /** Index within its group, from 0. */
  index: number;
  groupName: string;
  attributes: DeviceAttributes;
}

const MODELS = ['Breeze 9000', 'Breeze 12000', 'Polar Split 18', 'Polar Split 24', 'EcoCool Mini', 'EcoCool Max'] as const;
const FIRMWARE = ['1.0.4', '1.1.0', '1.1.2', '1.2.0', '2.0.1'] as const;

/** Fixed width keeps names stable when --devices rescales a group (00001 … 99999, then wider). */
export const thingNameFor = (group: Pick<GroupConfig, 'name' | 'thingNamePrefix'>, index: number): string =>
  `${group.thingNamePrefix ?? group.name}-${String(index + 1).padStart(5, '0')}`;

/** The `{location}` part of the telemetry topic: the configured id, or the city as a slug. */
export function locationId(location: LocationConfig): string {
  if (location.id) return location.id;
  return location.city
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * The firmware a device ships with: a cheap pure function of its identity, because every fleet
 * worker needs it at start-up and a faker run per device would cost more than the device.
 */
export const firmwareVersionFor = (seed: number, group: Pick<GroupConfig, 'name'>, index: number): string =>
  FIRMWARE[hashInts(hashString(`${seed}/${group.name}`), index) % FIRMWARE.length] as string;

// One generator reseeded per device: building a Faker per device would cost far more than the device.
let faker: Faker | undefined;

/** Attributes are a pure function of (seed, group, index). */
export function deviceAttributes(seed: number, group: GroupConfig, index: number): DeviceAttributes {
  faker ??= new Faker({ locale: [en, base] });
  faker.seed(hashString(`${seed}/${group.name}/${index}`));
  return {
    serialNumber: `AC${faker.string.alphanumeric({ length: 10, casing: 'upper' })}`,
    model: faker.helpers.arrayElement(MODELS),
    firmwareVersion: firmwareVersionFor(seed, group, index),
    address: `${faker.location.streetAddress()}, ${group.location.city}, ${group.location.country}`,
  };
}

export function deviceIdentity(seed: number, group: GroupConfig, index: number): DeviceIdentity {
  return { thingName: thingNameFor(group, index), index, groupName: group.name, attributes: deviceAttributes(seed, group, index) };
}
