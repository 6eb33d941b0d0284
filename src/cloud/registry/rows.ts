import { err, ok, type Result } from '../../core/result.js';
import type { Db } from '../store/sqlite.js';
import type { RegistryError } from './model.js';

/** Rows as SQLite returns them. */
export interface ThingRow {
  name: string;
  thing_id: string;
  thing_type: string | null;
  attributes: string;
  telemetry_topic: string | null;
  version: number;
}

export interface GroupRow {
  name: string;
  group_id: string;
  parent_name: string | null;
  description: string | null;
  attributes: string;
  version: number;
  created_at: number;
}

/** Thrown only inside a transaction to roll it back; turned back into a Result outside. */
export class Abort extends Error {
  constructor(readonly error: RegistryError) {
    super(error.message);
  }
}

export const parseAttributes = (json: string): Record<string, string> => JSON.parse(json) as Record<string, string>;

/** Runs fn in an IMMEDIATE transaction (read-modify-write without a lock upgrade); Abort rolls back into an error. */
export function runTransaction<T>(db: Db, fn: () => T): Result<T, RegistryError> {
  try {
    return ok(db.transaction(fn).immediate());
  } catch (e) {
    if (e instanceof Abort) return err(e.error);
    throw e;
  }
}
