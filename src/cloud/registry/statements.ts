import type { Db } from '../store/sqlite.js';

/** Every SQL statement the registry runs, prepared once. */
export function prepareRegistryStatements(db: Db) {
  return {
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
}

export type RegistryStatements = ReturnType<typeof prepareRegistryStatements>;
