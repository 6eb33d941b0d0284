import type { Db } from '../store/sqlite.js';

/**
 * What jobs need to know of the registry's groups, read from its tables: which things a target
 * reaches, and group ids by name and back. Jobs targeting a group reach the things of its
 * descendant groups too (spec §3.5, unverified), so both directions walk the hierarchy.
 */
export class TargetResolver {
  private readonly groupIdQ;
  private readonly groupByIdQ;
  private readonly thingsUnderQ;
  private readonly groupsAboveQ;

  constructor(db: Db) {
    this.groupIdQ = db.prepare(`SELECT group_id AS id FROM thing_groups WHERE name = ?`);
    this.groupByIdQ = db.prepare(`SELECT name FROM thing_groups WHERE group_id = ?`);
    this.thingsUnderQ = db.prepare(
      `WITH RECURSIVE sub(name) AS (SELECT ? UNION SELECT g.name FROM thing_groups g JOIN sub ON g.parent_name = sub.name)
       SELECT DISTINCT m.thing_name AS name FROM thing_group_members m JOIN sub ON m.group_name = sub.name ORDER BY m.thing_name`,
    );
    this.groupsAboveQ = db.prepare(
      `WITH RECURSIVE up(name) AS (SELECT group_name FROM thing_group_members WHERE thing_name = ?
         UNION SELECT g.parent_name FROM thing_groups g JOIN up ON g.name = up.name WHERE g.parent_name IS NOT NULL)
       SELECT name FROM up`,
    );
  }

  groupExists(group: string): boolean {
    return this.groupIdOf(group) !== undefined;
  }

  /** The group's id (ListJobs' `thingGroupId`), undefined for an unknown group. */
  groupIdOf(group: string): string | undefined {
    return (this.groupIdQ.get(group) as { id: string } | undefined)?.id;
  }

  groupNameOf(groupId: string): string | undefined {
    return (this.groupByIdQ.get(groupId) as { name: string } | undefined)?.name;
  }

  /** Every thing in the group or any descendant group, sorted by name. */
  thingsInGroup(group: string): string[] {
    return (this.thingsUnderQ.all(group) as { name: string }[]).map((r) => r.name);
  }

  /** The groups a thing belongs to directly, and all their ancestors. */
  groupsReaching(thing: string): Set<string> {
    return new Set((this.groupsAboveQ.all(thing) as { name: string }[]).map((r) => r.name));
  }
}
