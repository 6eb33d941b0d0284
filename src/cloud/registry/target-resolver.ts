import type { Db } from '../store/sqlite.js';

/**
 * Which things a job target reaches, read from the registry's tables. Jobs targeting a group
 * reach the things of its descendant groups too (spec §3.5, unverified), so both directions walk
 * the hierarchy.
 */
export class TargetResolver {
  private readonly groupExistsQ;
  private readonly thingsUnderQ;
  private readonly groupsAboveQ;

  constructor(db: Db) {
    this.groupExistsQ = db.prepare(`SELECT 1 FROM thing_groups WHERE name = ?`);
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
    return this.groupExistsQ.get(group) !== undefined;
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
