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
];
