import { randomUUID } from 'node:crypto';
import type { DeviceDirectory } from '../../broker/directory.js';
import { err, ok, type Result } from '../../core/result.js';
import type { DeviceAttributes } from '../../device/identity.js';
import type { Db } from '../store/sqlite.js';
import { thingArn, thingGroupArn, type ArnScope } from './arns.js';
import type { FleetThing } from './fleet-things.js';

export type RegistryErrorCode = 'ResourceNotFound' | 'ResourceAlreadyExists' | 'InvalidRequest' | 'VersionConflict' | 'LimitExceeded';

export interface RegistryError {
  code: RegistryErrorCode;
  message: string;
  /** ResourceAlreadyExistsException models these two members (spec §3.6). */
  resourceId?: string;
  resourceArn?: string;
}

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

const NAME_PATTERN = /^[a-zA-Z0-9:_-]{1,128}$/;

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

export interface MembershipChange {
  group: string;
  thing: string;
  change: 'added' | 'removed';
}

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

interface ThingRow {
  name: string;
  thing_id: string;
  thing_type: string | null;
  attributes: string;
  telemetry_topic: string | null;
  version: number;
}

interface GroupRow {
  name: string;
  group_id: string;
  parent_name: string | null;
  description: string | null;
  attributes: string;
  version: number;
  created_at: number;
}

/** Thrown only inside a transaction to roll it back; turned back into a Result outside. */
class Abort extends Error {
  constructor(readonly error: RegistryError) {
    super(error.message);
  }
}

const invalid = (message: string): RegistryError => ({ code: 'InvalidRequest', message });
const thingNotFound = (name: string): RegistryError => ({ code: 'ResourceNotFound', message: `Thing ${name} cannot be found.` });
const groupNotFound = (name: string): RegistryError => ({ code: 'ResourceNotFound', message: `Thing group ${name} cannot be found.` });

function checkName(value: string, member: string): RegistryError | undefined {
  if (NAME_PATTERN.test(value)) return undefined;
  return invalid(`1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: Member must have length between 1 and 128 and match pattern [a-zA-Z0-9:_-]+`);
}

function checkAttributeSizes(attributes: Attributes): RegistryError | undefined {
  for (const [k, v] of Object.entries(attributes)) {
    if (k.length < 1 || k.length > REGISTRY_LIMITS.attributeNameLength) return invalid(`Attribute name '${k}' must have length between 1 and ${REGISTRY_LIMITS.attributeNameLength}`);
    if (typeof v !== 'string') return invalid(`Attribute ${k} must have a string value`);
    if (v.length > REGISTRY_LIMITS.attributeValueLength) return invalid(`Value of attribute ${k} must have length at most ${REGISTRY_LIMITS.attributeValueLength}`);
  }
  return undefined;
}

function checkAttributeCount(count: number, thingTypeName: string | undefined): RegistryError | undefined {
  const max = thingTypeName === undefined ? REGISTRY_LIMITS.attributesWithoutType : REGISTRY_LIMITS.attributesWithType;
  if (count <= max) return undefined;
  return thingTypeName === undefined
    ? invalid(`Maximum number of attributes allowed for a thing without a thing type is ${max}`)
    : invalid(`Maximum number of attributes allowed for a thing with a thing type is ${max}`);
}

/** An empty value means "no such attribute" (AWS deletes on it), so it is never stored. */
function normalise(attributes: Attributes | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!attributes) return out;
  for (const k of Object.keys(attributes).sort()) {
    const v = attributes[k];
    if (v !== undefined && v !== '') out[k] = v;
  }
  return out;
}

function sameAttributes(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => b[k] === a[k]);
}

const parseAttributes = (json: string): Record<string, string> => JSON.parse(json) as Record<string, string>;

// Keyset tokens (the last name returned) stay correct while things are added or removed between pages.
const encodeToken = (after: string): string => Buffer.from(JSON.stringify({ after }), 'utf8').toString('base64url');

function decodePage(opts: PageOptions): Result<{ after: string; limit: number }, RegistryError> {
  const limit = opts.maxResults ?? REGISTRY_LIMITS.defaultMaxResults;
  if (!Number.isInteger(limit) || limit < 1 || limit > REGISTRY_LIMITS.maxResults) return err(invalid(`maxResults must be an integer between 1 and ${REGISTRY_LIMITS.maxResults}`));
  if (opts.nextToken === undefined) return ok({ after: '', limit });
  try {
    const parsed = JSON.parse(Buffer.from(opts.nextToken, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof parsed.after === 'string' && parsed.after !== '') return ok({ after: parsed.after, limit });
  } catch {
    // fall through: any undecodable token is the caller's error
  }
  return err(invalid('The nextToken is invalid'));
}

/** Cuts `limit + 1` sorted rows into a page, issuing a token only when more remain. */
function cut<T>(rows: T[], limit: number, nameOf: (t: T) => string): { items: T[]; nextToken?: string } {
  if (rows.length <= limit) return { items: rows };
  const items = rows.slice(0, limit);
  return { items, nextToken: encodeToken(nameOf(items[items.length - 1] as T)) };
}

/**
 * The AWS IoT thing registry: things, thing groups and memberships, persisted in SQLite. Also the
 * broker's DeviceDirectory, answered from memory because it runs on every CONNECT and PUBLISH.
 */
export class Registry implements DeviceDirectory {
  /** Every registered thing → its telemetry topic (undefined for things created over the API). */
  private readonly topics = new Map<string, string | undefined>();
  private readonly listeners = new Set<MembershipListener>();
  private readonly scope: ArnScope;
  private readonly q;

  constructor(
    private readonly db: Db,
    scope: ArnScope,
  ) {
    this.scope = { region: scope.region, account: scope.account };
    this.q = {
      thing: db.prepare(`SELECT name, thing_id, thing_type, attributes, telemetry_topic, version FROM things WHERE name = ?`),
      insertThing: db.prepare(
        `INSERT INTO things (name, thing_id, thing_type, attributes, telemetry_topic, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?)`,
      ),
      updateThing: db.prepare(`UPDATE things SET thing_type = ?, attributes = ?, version = version + 1, updated_at = ? WHERE name = ?`),
      setTopic: db.prepare(`UPDATE things SET telemetry_topic = ? WHERE name = ?`),
      deleteThing: db.prepare(`DELETE FROM things WHERE name = ?`),
      group: db.prepare(`SELECT name, group_id, parent_name, description, attributes, version, created_at FROM thing_groups WHERE name = ?`),
      groupParent: db.prepare(`SELECT parent_name FROM thing_groups WHERE name = ?`),
      childCount: db.prepare(`SELECT COUNT(*) AS n FROM thing_groups WHERE parent_name = ?`),
      insertGroup: db.prepare(`INSERT INTO thing_groups (name, group_id, parent_name, description, attributes, version, created_at) VALUES (?, ?, ?, ?, ?, 1, ?)`),
      deleteGroup: db.prepare(`DELETE FROM thing_groups WHERE name = ?`),
      isMember: db.prepare(`SELECT 1 FROM thing_group_members WHERE group_name = ? AND thing_name = ?`),
      addMember: db.prepare(`INSERT OR IGNORE INTO thing_group_members (group_name, thing_name) VALUES (?, ?)`),
      removeMember: db.prepare(`DELETE FROM thing_group_members WHERE group_name = ? AND thing_name = ?`),
      groupsOfThing: db.prepare(`SELECT group_name AS name FROM thing_group_members WHERE thing_name = ? ORDER BY group_name`),
      membersOfGroup: db.prepare(`SELECT thing_name AS name FROM thing_group_members WHERE group_name = ? ORDER BY thing_name`),
      groupCountOfThing: db.prepare(`SELECT COUNT(*) AS n FROM thing_group_members WHERE thing_name = ?`),
      allTopics: db.prepare(`SELECT name, telemetry_topic FROM things`),
    };
    for (const row of this.q.allTopics.iterate() as Iterable<{ name: string; telemetry_topic: string | null }>) {
      this.topics.set(row.name, row.telemetry_topic ?? undefined);
    }
  }

  // ---- DeviceDirectory ----------------------------------------------------------------------

  telemetryTopicOf(thingName: string): string | undefined {
    return this.topics.get(thingName);
  }

  get thingCount(): number {
    return this.topics.size;
  }

  /** Subscribes to membership changes, delivered after the change is committed; returns the unsubscribe. */
  onMembershipChange(listener: MembershipListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- Things -------------------------------------------------------------------------------

  createThing(name: string, opts: CreateThingOptions, nowSec: number): Result<CreatedThing, RegistryError> {
    const bad = checkName(name, 'thingName') ?? (opts.thingTypeName !== undefined ? checkName(opts.thingTypeName, 'thingTypeName') : undefined) ?? checkAttributeSizes(opts.attributes ?? {});
    if (bad) return err(bad);
    const attributes = normalise(opts.attributes);
    const tooMany = checkAttributeCount(Object.keys(attributes).length, opts.thingTypeName);
    if (tooMany) return err(tooMany);

    const existing = this.thingRow(name);
    if (existing) {
      // A topic left out does not conflict: API callers cannot set one, and should still get the
      // idempotent answer for a fleet thing they describe the same way.
      const same =
        (existing.thing_type ?? undefined) === opts.thingTypeName &&
        sameAttributes(parseAttributes(existing.attributes), attributes) &&
        (opts.telemetryTopic === undefined || opts.telemetryTopic === existing.telemetry_topic);
      if (!same) return err(this.alreadyExists('Thing', name, thingArn(this.scope, name)));
      return ok({ thingName: name, thingArn: thingArn(this.scope, name), thingId: existing.thing_id });
    }
    const thingId = randomUUID();
    this.q.insertThing.run(name, thingId, opts.thingTypeName ?? null, JSON.stringify(attributes), opts.telemetryTopic ?? null, nowSec, nowSec);
    this.topics.set(name, opts.telemetryTopic);
    return ok({ thingName: name, thingArn: thingArn(this.scope, name), thingId });
  }

  describeThing(name: string): Result<ThingDescription, RegistryError> {
    const row = this.thingRow(name);
    if (!row) return err(thingNotFound(name));
    return ok({ defaultClientId: name, ...this.summary(row), thingId: row.thing_id });
  }

  listThings(opts: ListThingsOptions = {}): Result<{ things: ThingSummary[]; nextToken?: string }, RegistryError> {
    const page = decodePage(opts);
    if (!page.ok) return page;
    if (opts.attributeValue !== undefined && opts.attributeName === undefined) return err(invalid('attributeValue requires attributeName'));
    const where = ['name > ?'];
    const params: (string | number)[] = [page.value.after];
    if (opts.thingTypeName !== undefined) {
      where.push('thing_type = ?');
      params.push(opts.thingTypeName);
    }
    if (opts.attributeName !== undefined) {
      where.push(`EXISTS (SELECT 1 FROM json_each(things.attributes) a WHERE a.key = ?${opts.attributeValue !== undefined ? ' AND a.value = ?' : ''})`);
      params.push(opts.attributeName);
      if (opts.attributeValue !== undefined) params.push(opts.attributeValue);
    }
    params.push(page.value.limit + 1);
    const rows = this.db
      .prepare(`SELECT name, thing_id, thing_type, attributes, telemetry_topic, version FROM things WHERE ${where.join(' AND ')} ORDER BY name LIMIT ?`)
      .all(...params) as ThingRow[];
    const { items, nextToken } = cut(rows, page.value.limit, (r) => r.name);
    return ok({ things: items.map((r) => this.summary(r)), ...(nextToken !== undefined ? { nextToken } : {}) });
  }

  updateThing(name: string, opts: UpdateThingOptions, nowSec: number): Result<void, RegistryError> {
    if (opts.thingTypeName !== undefined && opts.removeThingType) return err(invalid('Cannot set thingTypeName and removeThingType together'));
    const bad = (opts.thingTypeName !== undefined ? checkName(opts.thingTypeName, 'thingTypeName') : undefined) ?? checkAttributeSizes(opts.attributes ?? {});
    if (bad) return err(bad);
    return this.inTransaction(() => {
      const row = this.thingRow(name);
      if (!row) throw new Abort(thingNotFound(name));
      if (opts.expectedVersion !== undefined && opts.expectedVersion !== row.version) throw new Abort(this.versionConflict(name));
      let attributes = parseAttributes(row.attributes);
      if (opts.attributes !== undefined) {
        attributes = opts.merge ? normalise({ ...attributes, ...opts.attributes }) : normalise(opts.attributes);
      }
      const type = opts.removeThingType ? undefined : (opts.thingTypeName ?? row.thing_type ?? undefined);
      const tooMany = checkAttributeCount(Object.keys(attributes).length, type);
      if (tooMany) throw new Abort(tooMany);
      this.q.updateThing.run(type ?? null, JSON.stringify(attributes), nowSec, name);
    });
  }

  /** Deleting a thing that does not exist succeeds, as AWS documents for DeleteThing. */
  deleteThing(name: string, expectedVersion?: number): Result<void, RegistryError> {
    const removed: MembershipChange[] = [];
    const r = this.inTransaction(() => {
      const row = this.thingRow(name);
      if (!row) return;
      if (expectedVersion !== undefined && expectedVersion !== row.version) throw new Abort(this.versionConflict(name));
      for (const g of this.q.groupsOfThing.all(name) as { name: string }[]) removed.push({ group: g.name, thing: name, change: 'removed' });
      this.q.deleteThing.run(name);
    });
    if (!r.ok) return r;
    this.topics.delete(name);
    this.emit(removed);
    return r;
  }

  // ---- Thing groups -------------------------------------------------------------------------

  createThingGroup(name: string, opts: CreateThingGroupOptions, nowSec: number): Result<CreatedThingGroup, RegistryError> {
    const bad =
      checkName(name, 'thingGroupName') ??
      (opts.parentGroupName !== undefined ? checkName(opts.parentGroupName, 'parentGroupName') : undefined) ??
      checkAttributeSizes(opts.attributes ?? {}) ??
      ((opts.description?.length ?? 0) > REGISTRY_LIMITS.descriptionLength ? invalid(`thingGroupDescription must have length at most ${REGISTRY_LIMITS.descriptionLength}`) : undefined);
    if (bad) return err(bad);
    const attributes = normalise(opts.attributes);
    const arn = thingGroupArn(this.scope, name);
    return this.inTransaction(() => {
      const existing = this.groupRow(name);
      if (existing) {
        const same =
          (existing.parent_name ?? undefined) === opts.parentGroupName &&
          (existing.description ?? undefined) === opts.description &&
          sameAttributes(parseAttributes(existing.attributes), attributes);
        if (!same) throw new Abort(this.alreadyExists('Thing group', name, arn));
        return { thingGroupName: name, thingGroupArn: arn, thingGroupId: existing.group_id };
      }
      if (opts.parentGroupName !== undefined) {
        if (!this.groupRow(opts.parentGroupName)) throw new Abort(groupNotFound(opts.parentGroupName));
        // The parent's ancestors, the parent, and the new group itself.
        const depth = this.ancestors(opts.parentGroupName).length + 2;
        if (depth > REGISTRY_LIMITS.groupDepth) throw new Abort(invalid(`Thing group ${name} would be at depth ${depth}; a thing group hierarchy can have at most ${REGISTRY_LIMITS.groupDepth} levels`));
        const children = (this.q.childCount.get(opts.parentGroupName) as { n: number }).n;
        if (children >= REGISTRY_LIMITS.childGroups) {
          throw new Abort({ code: 'LimitExceeded', message: `Thing group ${opts.parentGroupName} already has the maximum of ${REGISTRY_LIMITS.childGroups} child groups` });
        }
      }
      const thingGroupId = randomUUID();
      this.q.insertGroup.run(name, thingGroupId, opts.parentGroupName ?? null, opts.description ?? null, JSON.stringify(attributes), nowSec);
      return { thingGroupName: name, thingGroupArn: arn, thingGroupId };
    });
  }

  describeThingGroup(name: string): Result<ThingGroupDescription, RegistryError> {
    const row = this.groupRow(name);
    if (!row) return err(groupNotFound(name));
    return ok({
      thingGroupName: name,
      thingGroupId: row.group_id,
      thingGroupArn: thingGroupArn(this.scope, name),
      version: row.version,
      thingGroupProperties: {
        ...(row.description !== null ? { thingGroupDescription: row.description } : {}),
        attributePayload: { attributes: parseAttributes(row.attributes) },
      },
      thingGroupMetadata: {
        ...(row.parent_name !== null ? { parentGroupName: row.parent_name } : {}),
        rootToParentThingGroups: row.parent_name === null ? [] : [...this.ancestors(row.parent_name), row.parent_name].map((g) => this.nameAndArn(g)),
        creationDate: row.created_at,
      },
    });
  }

  listThingGroups(opts: ListThingGroupsOptions = {}): Result<{ thingGroups: GroupNameAndArn[]; nextToken?: string }, RegistryError> {
    const page = decodePage(opts);
    if (!page.ok) return page;
    let sql: string;
    const params: (string | number)[] = [];
    if (opts.parentGroup !== undefined) {
      if (!this.groupRow(opts.parentGroup)) return err(groupNotFound(opts.parentGroup));
      sql = opts.recursive
        ? `WITH RECURSIVE sub(name) AS (SELECT name FROM thing_groups WHERE parent_name = ? UNION SELECT g.name FROM thing_groups g JOIN sub ON g.parent_name = sub.name)
           SELECT name FROM sub WHERE name > ?`
        : `SELECT name FROM thing_groups WHERE parent_name = ? AND name > ?`;
      params.push(opts.parentGroup, page.value.after);
    } else {
      sql = `SELECT name FROM thing_groups WHERE name > ?${opts.recursive === false ? ' AND parent_name IS NULL' : ''}`;
      params.push(page.value.after);
    }
    if (opts.namePrefixFilter !== undefined) {
      // substr, not LIKE: group names may contain '_', which LIKE would treat as a wildcard.
      sql += ` AND substr(name, 1, ?) = ?`;
      params.push(opts.namePrefixFilter.length, opts.namePrefixFilter);
    }
    sql += ` ORDER BY name LIMIT ?`;
    params.push(page.value.limit + 1);
    const rows = this.db.prepare(sql).all(...params) as { name: string }[];
    const { items, nextToken } = cut(rows, page.value.limit, (r) => r.name);
    return ok({ thingGroups: items.map((r) => this.nameAndArn(r.name)), ...(nextToken !== undefined ? { nextToken } : {}) });
  }

  /**
   * Deleting a group that does not exist succeeds (DeleteThingGroup models no ResourceNotFound);
   * its memberships go with it, each reported as 'removed'.
   */
  deleteThingGroup(name: string, expectedVersion?: number): Result<void, RegistryError> {
    const removed: MembershipChange[] = [];
    const r = this.inTransaction(() => {
      const row = this.groupRow(name);
      if (!row) return;
      if (expectedVersion !== undefined && expectedVersion !== row.version) {
        throw new Abort({ code: 'VersionConflict', message: `The version for thing group ${name} does not match the expected version.` });
      }
      const children = (this.q.childCount.get(name) as { n: number }).n;
      if (children > 0) throw new Abort(invalid(`Cannot delete thing group ${name}: it has ${children} child group(s)`));
      for (const t of this.q.membersOfGroup.all(name) as { name: string }[]) removed.push({ group: name, thing: t.name, change: 'removed' });
      this.q.deleteGroup.run(name);
    });
    if (r.ok) this.emit(removed);
    return r;
  }

  /** Adding a thing to a group it is already in succeeds and reports nothing. */
  addThingToThingGroup(group: string, thing: string): Result<void, RegistryError> {
    let added = false;
    const r = this.inTransaction(() => {
      this.requireGroupAndThing(group, thing);
      if (this.q.isMember.get(group, thing)) return;
      this.addMembership(group, thing);
      added = true;
    });
    if (r.ok && added) this.emit([{ group, thing, change: 'added' }]);
    return r;
  }

  /** Removing a thing from a group it is not in succeeds and reports nothing. */
  removeThingFromThingGroup(group: string, thing: string): Result<void, RegistryError> {
    let removed = false;
    const r = this.inTransaction(() => {
      this.requireGroupAndThing(group, thing);
      removed = this.q.removeMember.run(group, thing).changes > 0;
    });
    if (r.ok && removed) this.emit([{ group, thing, change: 'removed' }]);
    return r;
  }

  listThingsInThingGroup(group: string, opts: ListThingsInThingGroupOptions = {}): Result<{ things: string[]; nextToken?: string }, RegistryError> {
    const page = decodePage(opts);
    if (!page.ok) return page;
    if (!this.groupRow(group)) return err(groupNotFound(group));
    const sql = opts.recursive
      ? `WITH RECURSIVE sub(name) AS (SELECT ? UNION SELECT g.name FROM thing_groups g JOIN sub ON g.parent_name = sub.name)
         SELECT DISTINCT m.thing_name AS name FROM thing_group_members m JOIN sub ON m.group_name = sub.name
         WHERE m.thing_name > ? ORDER BY m.thing_name LIMIT ?`
      : `SELECT thing_name AS name FROM thing_group_members WHERE group_name = ? AND thing_name > ? ORDER BY thing_name LIMIT ?`;
    const rows = this.db.prepare(sql).all(group, page.value.after, page.value.limit + 1) as { name: string }[];
    const { items, nextToken } = cut(rows, page.value.limit, (r) => r.name);
    return ok({ things: items.map((r) => r.name), ...(nextToken !== undefined ? { nextToken } : {}) });
  }

  /** The groups the thing is directly a member of (not their ancestors), by name. */
  listThingGroupsForThing(thing: string, opts: PageOptions = {}): Result<{ thingGroups: GroupNameAndArn[]; nextToken?: string }, RegistryError> {
    const page = decodePage(opts);
    if (!page.ok) return page;
    if (!this.topics.has(thing)) return err(thingNotFound(thing));
    const rows = (this.q.groupsOfThing.all(thing) as { name: string }[]).filter((r) => r.name > page.value.after).slice(0, page.value.limit + 1);
    const { items, nextToken } = cut(rows, page.value.limit, (r) => r.name);
    return ok({ thingGroups: items.map((r) => this.nameAndArn(r.name)), ...(nextToken !== undefined ? { nextToken } : {}) });
  }

  // ---- Fleet --------------------------------------------------------------------------------

  /**
   * Registers the configured fleet: creates missing things (typed, so the four device attributes
   * are legal) and root groups, and adds missing memberships. Never deletes and never touches an
   * existing thing's attributes (an operator may have changed them); only its telemetry topic
   * follows the config, since the broker authorises by it. All or nothing.
   */
  syncFleet(things: Iterable<FleetThingRecord>, thingTypeName: string, nowSec: number): Result<SyncFleetCounts, RegistryError> {
    const badType = checkName(thingTypeName, 'thingTypeName');
    if (badType) return err(badType);
    const counts: SyncFleetCounts = { thingsCreated: 0, groupsCreated: 0, membershipsAdded: 0, topicsUpdated: 0 };
    const topicChanges: [string, string][] = [];
    const added: MembershipChange[] = [];
    const knownGroups = new Set<string>();
    const r = this.inTransaction(() => {
      for (const t of things) {
        const existing = this.thingRow(t.thingName);
        if (!existing) {
          const attrs = t.attributes as Attributes;
          const bad = checkName(t.thingName, 'thingName') ?? checkAttributeSizes(attrs);
          if (bad) throw new Abort(bad);
          const attributes = normalise(attrs);
          const tooMany = checkAttributeCount(Object.keys(attributes).length, thingTypeName);
          if (tooMany) throw new Abort(tooMany);
          this.q.insertThing.run(t.thingName, randomUUID(), thingTypeName, JSON.stringify(attributes), t.telemetryTopic, nowSec, nowSec);
          topicChanges.push([t.thingName, t.telemetryTopic]);
          counts.thingsCreated++;
        } else if (existing.telemetry_topic !== t.telemetryTopic) {
          this.q.setTopic.run(t.telemetryTopic, t.thingName);
          topicChanges.push([t.thingName, t.telemetryTopic]);
          counts.topicsUpdated++;
        }
        if (!knownGroups.has(t.groupName)) {
          if (!this.groupRow(t.groupName)) {
            const bad = checkName(t.groupName, 'thingGroupName');
            if (bad) throw new Abort(bad);
            this.q.insertGroup.run(t.groupName, randomUUID(), null, null, '{}', nowSec);
            counts.groupsCreated++;
          }
          knownGroups.add(t.groupName);
        }
        if (!this.q.isMember.get(t.groupName, t.thingName)) {
          this.addMembership(t.groupName, t.thingName);
          added.push({ group: t.groupName, thing: t.thingName, change: 'added' });
          counts.membershipsAdded++;
        }
      }
    });
    if (!r.ok) return r;
    for (const [name, topic] of topicChanges) this.topics.set(name, topic);
    this.emit(added);
    return ok(counts);
  }

  // ---- internals ----------------------------------------------------------------------------

  private thingRow(name: string): ThingRow | undefined {
    return this.q.thing.get(name) as ThingRow | undefined;
  }

  private groupRow(name: string): GroupRow | undefined {
    return this.q.group.get(name) as GroupRow | undefined;
  }

  /** The group's ancestors, root first, excluding the group itself. */
  private ancestors(name: string): string[] {
    const out: string[] = [];
    let parent = (this.q.groupParent.get(name) as { parent_name: string | null } | undefined)?.parent_name ?? null;
    // Parents must exist when a group is created and never change, so the chain has no cycle;
    // the depth bound is a guard against a hand-edited database all the same.
    while (parent !== null && out.length <= REGISTRY_LIMITS.groupDepth) {
      out.unshift(parent);
      parent = (this.q.groupParent.get(parent) as { parent_name: string | null } | undefined)?.parent_name ?? null;
    }
    return out;
  }

  private requireGroupAndThing(group: string, thing: string): void {
    if (!this.groupRow(group)) throw new Abort(groupNotFound(group));
    if (!this.thingRow(thing)) throw new Abort(thingNotFound(thing));
  }

  private addMembership(group: string, thing: string): void {
    const n = (this.q.groupCountOfThing.get(thing) as { n: number }).n;
    if (n >= REGISTRY_LIMITS.groupsPerThing) {
      throw new Abort({ code: 'LimitExceeded', message: `Thing ${thing} is already in the maximum of ${REGISTRY_LIMITS.groupsPerThing} thing groups` });
    }
    this.q.addMember.run(group, thing);
  }

  private summary(row: ThingRow): ThingSummary {
    return {
      thingName: row.name,
      ...(row.thing_type !== null ? { thingTypeName: row.thing_type } : {}),
      thingArn: thingArn(this.scope, row.name),
      attributes: parseAttributes(row.attributes),
      version: row.version,
    };
  }

  private nameAndArn(name: string): GroupNameAndArn {
    return { groupName: name, groupArn: thingGroupArn(this.scope, name) };
  }

  private alreadyExists(kind: string, name: string, arn: string): RegistryError {
    return { code: 'ResourceAlreadyExists', message: `${kind} ${name} already exists with different attributes`, resourceId: name, resourceArn: arn };
  }

  private versionConflict(name: string): RegistryError {
    return { code: 'VersionConflict', message: `The version for thing ${name} does not match the expected version.` };
  }

  /** Runs fn in an IMMEDIATE transaction (read-modify-write without a lock upgrade); Abort rolls back into an error. */
  private inTransaction<T>(fn: () => T): Result<T, RegistryError> {
    try {
      return ok(this.db.transaction(fn).immediate());
    } catch (e) {
      if (e instanceof Abort) return err(e.error);
      throw e;
    }
  }

  /**
   * Delivers to every listener even if one throws (one subscriber's bug must not starve the
   * others of a committed change), then rethrows the first failure.
   */
  private emit(changes: MembershipChange[]): void {
    let failure: unknown;
    let failed = false;
    for (const change of changes) {
      for (const l of [...this.listeners]) {
        try {
          l(change);
        } catch (e) {
          if (!failed) {
            failed = true;
            failure = e;
          }
        }
      }
    }
    if (failed) throw failure;
  }
}
