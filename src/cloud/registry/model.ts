/** The registry's public shapes, limits and errors (spec §3.5). */
import type { DeviceAttributes } from '../../device/identity.js';
import type { FleetThing } from './fleet-things.js';
import type { ControlPlaneError } from '../control-plane-error.js';

/** The registry's errors are the control plane's (spec §3.6). */
export type RegistryError = ControlPlaneError;

export type Attributes = Readonly<Record<string, string>>;

/** Limits of spec §3.5; the counts of ≤10 groups per thing and ≤100 children are (unverified) there. */
export const REGISTRY_LIMITS = {
  attributesWithoutType: 3,
  attributesWithType: 50,
  attributeNameLength: 128,
  attributeValueLength: 800,
  groupDepth: 7,
  childGroups: 100,
  groupsPerThing: 10,
  descriptionLength: 2028,
  maxResults: 250,
  defaultMaxResults: 100,
} as const;

export const NAME_PATTERN = /^[a-zA-Z0-9:_-]{1,128}$/;

export interface CreateThingOptions {
  thingTypeName?: string;
  attributes?: Attributes;
  /** The thing's own telemetry topic, for the broker's ACL; things created over the API have none. */
  telemetryTopic?: string;
}

export interface CreatedThing {
  thingName: string;
  thingArn: string;
  thingId: string;
}

export interface ThingDescription {
  defaultClientId: string;
  thingName: string;
  thingId: string;
  thingArn: string;
  thingTypeName?: string;
  attributes: Record<string, string>;
  version: number;
}

export interface ThingSummary {
  thingName: string;
  thingTypeName?: string;
  thingArn: string;
  attributes: Record<string, string>;
  version: number;
}

export interface PageOptions {
  /** 1–250. */
  maxResults?: number;
  nextToken?: string;
}

export interface ListThingsOptions extends PageOptions {
  attributeName?: string;
  attributeValue?: string;
  thingTypeName?: string;
}

export interface UpdateThingOptions {
  attributes?: Attributes;
  /** true: merge into the stored attributes, an empty value deleting its key; otherwise replace them. */
  merge?: boolean;
  thingTypeName?: string;
  /** Dissociates the thing type (AWS `removeThingType`); exclusive with thingTypeName. */
  removeThingType?: boolean;
  expectedVersion?: number;
}

export interface CreateThingGroupOptions {
  parentGroupName?: string;
  description?: string;
  attributes?: Attributes;
}

export interface CreatedThingGroup {
  thingGroupName: string;
  thingGroupArn: string;
  thingGroupId: string;
}

export interface GroupNameAndArn {
  groupName: string;
  groupArn: string;
}

export interface ThingGroupDescription {
  thingGroupName: string;
  thingGroupId: string;
  thingGroupArn: string;
  version: number;
  thingGroupProperties: { thingGroupDescription?: string; attributePayload: { attributes: Record<string, string> } };
  thingGroupMetadata: {
    parentGroupName?: string;
    /** Root first, the direct parent last; empty for a root group. */
    rootToParentThingGroups: GroupNameAndArn[];
    /** Epoch seconds. */
    creationDate: number;
  };
}

export interface ListThingGroupsOptions extends PageOptions {
  parentGroup?: string;
  namePrefixFilter?: string;
  /** With parentGroup: all descendants instead of direct children. Without: false lists root groups only. */
  recursive?: boolean;
}

export interface ListThingsInThingGroupOptions extends PageOptions {
  /** Include the things of every descendant group. */
  recursive?: boolean;
}

/**
 * A thing joining or leaving a group, or being deleted (after its 'removed' changes): the jobs
 * service follows all three for CONTINUOUS jobs and for executions of deleted things.
 */
export type MembershipChange = { group: string; thing: string; change: 'added' | 'removed' } | { thing: string; change: 'thingDeleted' };

export type MembershipListener = (e: MembershipChange) => void;

export interface FleetThingRecord extends FleetThing {
  attributes: Attributes | DeviceAttributes;
}

export interface SyncFleetCounts {
  thingsCreated: number;
  groupsCreated: number;
  membershipsAdded: number;
  /** Existing things whose telemetry topic the fleet config now gives differently (or newly). */
  topicsUpdated: number;
}
