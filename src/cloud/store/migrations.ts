/**
 * Schema history, applied in order; `PRAGMA user_version` records how many have run. Append only:
 * never edit a migration that has shipped.
 */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE shadows (
     thing_name   TEXT NOT NULL,
     shadow_name  TEXT NOT NULL,          -- '' for the classic shadow
     version      INTEGER NOT NULL,
     document     TEXT,                   -- JSON {state, metadata}; NULL while deleted
     updated_at   INTEGER NOT NULL,       -- epoch seconds, simulated time
     PRIMARY KEY (thing_name, shadow_name)
   ) WITHOUT ROWID;`,
  // Thing registry (src/cloud/registry/registry.ts). Memberships cascade so deleting a thing or a
  // group can never leave a dangling member; parent_name does not, because deleting a group
  // that still has children is refused.
  `CREATE TABLE things (
     name            TEXT PRIMARY KEY,
     thing_id        TEXT NOT NULL UNIQUE,
     thing_type      TEXT,                 -- NULL without a thing type
     attributes      TEXT NOT NULL,        -- JSON object of string values
     telemetry_topic TEXT,                 -- NULL for things created over the API, not by the fleet
     version         INTEGER NOT NULL,
     created_at      INTEGER NOT NULL,     -- epoch seconds, simulated time
     updated_at      INTEGER NOT NULL
   ) WITHOUT ROWID;
   CREATE INDEX things_by_type ON things (thing_type, name);
   CREATE TABLE thing_groups (
     name         TEXT PRIMARY KEY,
     group_id     TEXT NOT NULL UNIQUE,
     parent_name  TEXT REFERENCES thing_groups (name),
     description  TEXT,
     attributes   TEXT NOT NULL,
     version      INTEGER NOT NULL,
     created_at   INTEGER NOT NULL
   ) WITHOUT ROWID;
   CREATE INDEX thing_groups_by_parent ON thing_groups (parent_name, name);
   CREATE TABLE thing_group_members (
     group_name  TEXT NOT NULL REFERENCES thing_groups (name) ON DELETE CASCADE,
     thing_name  TEXT NOT NULL REFERENCES things (name) ON DELETE CASCADE,
     PRIMARY KEY (group_name, thing_name)
   ) WITHOUT ROWID;
   CREATE INDEX thing_group_members_by_thing ON thing_group_members (thing_name, group_name);`,
  // Jobs (src/cloud/jobs/job-store.ts): bodies are JSON, read whole into memory at start; `seq`
  // keeps creation order, which start-next's tie-break and ListJobs' pages follow.
  `CREATE TABLE jobs (
     job_id  TEXT PRIMARY KEY,
     seq     INTEGER NOT NULL,
     body    TEXT NOT NULL
   ) WITHOUT ROWID;
   CREATE TABLE job_executions (
     job_id            TEXT NOT NULL,
     thing_name        TEXT NOT NULL,
     execution_number  INTEGER NOT NULL,
     seq               INTEGER NOT NULL,
     body              TEXT NOT NULL,
     PRIMARY KEY (job_id, thing_name, execution_number)
   ) WITHOUT ROWID;
   CREATE TABLE settings (
     key    TEXT PRIMARY KEY,
     value  TEXT NOT NULL
   ) WITHOUT ROWID;`,
  // Rollout engine (src/cloud/jobs/rollout-engine.ts): targets that have no execution yet, in
  // release order; a row goes when its execution is created. Job templates (job-templates.ts).
  `CREATE TABLE job_pending_targets (
     job_id      TEXT NOT NULL,
     seq         INTEGER NOT NULL,
     thing_name  TEXT NOT NULL,
     PRIMARY KEY (job_id, seq)
   ) WITHOUT ROWID;
   CREATE TABLE job_templates (
     job_template_id  TEXT PRIMARY KEY,
     seq              INTEGER NOT NULL,
     body             TEXT NOT NULL
   ) WITHOUT ROWID;`,
];
