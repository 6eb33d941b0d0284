import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { AcfleetError, ErrorCodes } from '../../core/errors.js';
import { MIGRATIONS } from './migrations.js';

export type Db = Database.Database;

/**
 * Opens (creating if needed) the state database: WAL, migrated to the latest schema.
 * `:memory:` gives a throwaway store.
 */
export function openStore(path: string): Db {
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    // WAL + NORMAL: durable across process crashes; only an OS crash can lose the last commits.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db);
    return db;
  } catch (cause) {
    if (cause instanceof AcfleetError) throw cause;
    throw new AcfleetError(ErrorCodes.STORE_FAILED, `cannot open the state store ${path}: ${(cause as Error).message}. Pass --state PATH, or --state :memory: for a throwaway run.`, {
      cause,
    });
  }
}

function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new AcfleetError(ErrorCodes.STORE_FAILED, `the state store was written by a newer acfleet (schema ${current}, this one knows ${MIGRATIONS.length}); upgrade acfleet or use another --state`);
  }
  const apply = db.transaction(() => {
    for (let v = current; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v] as string);
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  });
  apply();
}

/**
 * Collects writes and commits them in one transaction per event-loop turn: thousands of
 * shadow updates in a burst cost one fsync-free WAL commit, not thousands.
 */
export class WriteBatcher {
  private readonly pending = new Map<string, () => void>();
  private scheduled = false;

  constructor(private readonly db: Db) {}

  /** Queues a write; a later write under the same key replaces an earlier one not yet committed. */
  enqueue(key: string, write: () => void): void {
    // Re-inserted, not overwritten in place: a Map keeps a key's first position, and a write must
    // run after every write queued before it (a job deleted, then recreated with the same id).
    this.pending.delete(key);
    this.pending.set(key, write);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.scheduled = false;
    if (this.pending.size === 0) return;
    const writes = [...this.pending.values()];
    this.pending.clear();
    this.db.transaction(() => {
      for (const w of writes) w();
    })();
  }
}
