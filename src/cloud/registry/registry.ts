import { randomUUID } from 'node:crypto';
import type { DeviceDirectory } from '../../broker/directory.js';
import { err, ok, type Result } from '../../core/result.js';
import type { Db } from '../store/sqlite.js';
import { thingArn, thingGroupArn, type ArnScope } from './arns.js';
import { alreadyExists, checkAttributeCount, checkAttributeSizes, checkName, groupNotFound, invalid, normalise, sameAttributes, thingNotFound, versionConflict } from './checks.js';
import { REGISTRY_LIMITS, type Attributes, type CreatedThing, type CreatedThingGroup, type CreateThingGroupOptions, type CreateThingOptions, type FleetThingRecord, type GroupNameAndArn,
  type ListThingGroupsOptions, type ListThingsInThingGroupOptions, type ListThingsOptions, type MembershipChange, type MembershipListener, type PageOptions, type RegistryError, type SyncFleetCounts,
  type ThingDescription, type ThingGroupDescription, type ThingSummary, type UpdateThingOptions } from './model.js';
import { MembershipEvents } from './events.js';
import { cut, decodePage } from './paging.js';
import { Abort, parseAttributes, runTransaction, type GroupRow, type ThingRow } from './rows.js';
import { prepareRegistryStatements, type RegistryStatements } from './statements.js';

export * from './model.js';

/**
 * The AWS IoT thing registry: things, thing groups and memberships, persisted in SQLite. Also the
 * broker's DeviceDirectory, answered from memory because it runs on every CONNECT and PUBLISH.
 */
export class Registry implements DeviceDirectory {
  /** Every registered thing → its telemetry topic (undefined for things created over the API). */
  private readonly topics = new Map<string, string | undefined>();
  private readonly events = new MembershipEvents();
  private readonly scope: ArnScope;
  private readonly q: RegistryStatements;

  constructor(
    private readonly db: Db,
    scope: ArnScope,
  ) {
    this.scope = { region: scope.region, account: scope.account };
    this.q = prepareRegistryStatements(db);
    for (const row of this.q.allTopics.iterate() as Iterable<{ name: string; telemetry_topic: string | null }>) {
      this.topics.set(row.name, row.telemetry_topic ?? undefined);
    }
  }

  isRegistered(thingName: string): boolean {
    return this.topics.has(thingName);
  }

  telemetryTopicOf(thingName: string): string | undefined {
    return this.topics.get(thingName);
  }

  get thingCount(): number {
    return this.topics.size;
  }

  /** Subscribes to membership changes, delivered after the change is committed; returns the unsubscribe. */
  onMembershipChange(listener: MembershipListener): () => void {
    return this.events.subscribe(listener);
  }

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
      if (!same) return err(alreadyExists('Thing', name, thingArn(this.scope, name)));
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
    return runTransaction(this.db, () => {
      const row = this.thingRow(name);
      if (!row) throw new Abort(thingNotFound(name));
      if (opts.expectedVersion !== undefined && opts.expectedVersion !== row.version) throw new Abort(versionConflict(name));
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
    const r = runTransaction(this.db, () => {
      const row = this.thingRow(name);
      if (!row) return;
      if (expectedVersion !== undefined && expectedVersion !== row.version) throw new Abort(versionConflict(name));
      for (const g of this.q.groupsOfThing.all(name) as { name: string }[]) removed.push({ group: g.name, thing: name, change: 'removed' });
      removed.push({ thing: name, change: 'thingDeleted' });
      this.q.deleteThing.run(name);
    });
    if (!r.ok) return r;
    this.topics.delete(name);
    this.events.emit(removed);
    return r;
  }

  createThingGroup(name: string, opts: CreateThingGroupOptions, nowSec: number): Result<CreatedThingGroup, RegistryError> {
    const bad =
      checkName(name, 'thingGroupName') ??
      (opts.parentGroupName !== undefined ? checkName(opts.parentGroupName, 'parentGroupName') : undefined) ??
      checkAttributeSizes(opts.attributes ?? {}) ??
      ((opts.description?.length ?? 0) > REGISTRY_LIMITS.descriptionLength ? invalid(`thingGroupDescription must have length at most ${REGISTRY_LIMITS.descriptionLength}`) : undefined);
    if (bad) return err(bad);
    const attributes = normalise(opts.attributes);
    const arn = thingGroupArn(this.scope, name);
    return runTransaction(this.db, () => {
      const existing = this.groupRow(name);
      if (existing) {
        const same =
          (existing.parent_name ?? undefined) === opts.parentGroupName &&
          (existing.description ?? undefined) === opts.description &&
          sameAttributes(parseAttributes(existing.attributes), attributes);
        if (!same) throw new Abort(alreadyExists('Thing group', name, arn));
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

  /** A missing group is no error (DeleteThingGroup models no ResourceNotFound); memberships go, each reported. */
  deleteThingGroup(name: string, expectedVersion?: number): Result<void, RegistryError> {
    const removed: MembershipChange[] = [];
    const r = runTransaction(this.db, () => {
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
    if (r.ok) this.events.emit(removed);
    return r;
  }

  /** Adding a thing to a group it is already in succeeds and reports nothing. */
  addThingToThingGroup(group: string, thing: string): Result<void, RegistryError> {
    let added = false;
    const r = runTransaction(this.db, () => {
      this.requireGroupAndThing(group, thing);
      if (this.q.isMember.get(group, thing)) return;
      this.addMembership(group, thing);
      added = true;
    });
    if (r.ok && added) this.events.emit([{ group, thing, change: 'added' }]);
    return r;
  }

  /** Removing a thing from a group it is not in succeeds and reports nothing. */
  removeThingFromThingGroup(group: string, thing: string): Result<void, RegistryError> {
    let removed = false;
    const r = runTransaction(this.db, () => {
      this.requireGroupAndThing(group, thing);
      removed = this.q.removeMember.run(group, thing).changes > 0;
    });
    if (r.ok && removed) this.events.emit([{ group, thing, change: 'removed' }]);
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

  /**
   * Registers the configured fleet, all or nothing: missing things (typed, so the four device
   * attributes are legal) and root groups. Never deletes, never touches an existing thing's
   * attributes; only its telemetry topic follows the config (the broker authorises by it). A
   * thing joins its group once, when it or the group is created or an API-made thing is adopted:
   * then membership is the operator's, and a restart must not undo a removal (CONTINUOUS jobs).
   */
  syncFleet(things: Iterable<FleetThingRecord>, thingTypeName: string, nowSec: number): Result<SyncFleetCounts, RegistryError> {
    const badType = checkName(thingTypeName, 'thingTypeName');
    if (badType) return err(badType);
    const counts: SyncFleetCounts = { thingsCreated: 0, groupsCreated: 0, membershipsAdded: 0, topicsUpdated: 0 };
    const topicChanges: [string, string][] = [];
    const added: MembershipChange[] = [];
    const knownGroups = new Set<string>();
    const createdGroups = new Set<string>();
    const r = runTransaction(this.db, () => {
      for (const t of things) {
        const existing = this.thingRow(t.thingName);
        const firstSync = !existing || existing.telemetry_topic === null;
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
            createdGroups.add(t.groupName);
            counts.groupsCreated++;
          }
          knownGroups.add(t.groupName);
        }
        if ((firstSync || createdGroups.has(t.groupName)) && !this.q.isMember.get(t.groupName, t.thingName)) {
          this.addMembership(t.groupName, t.thingName);
          added.push({ group: t.groupName, thing: t.thingName, change: 'added' });
          counts.membershipsAdded++;
        }
      }
    });
    if (!r.ok) return r;
    for (const [name, topic] of topicChanges) this.topics.set(name, topic);
    this.events.emit(added);
    return ok(counts);
  }

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
}
