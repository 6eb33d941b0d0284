import type { Db, WriteBatcher } from '../store/sqlite.js';
import type { ShadowDocument } from './merge.js';

export interface StoredShadow {
  /** Undefined while the shadow does not exist (never created, or deleted). */
  doc: ShadowDocument | undefined;
  /** The version a deleted shadow had; a re-creation continues after it. */
  deletedVersion: number | undefined;
}

const key = (thing: string, name: string): string => `shadow\u0000${thing}\u0000${name}`;

/**
 * Shadows in memory for speed, written through to SQLite in batches. The classic shadow has
 * the name ''.
 */
export class ShadowStore {
  private readonly cache = new Map<string, StoredShadow>();
  private readonly upsert;
  private readonly selectAll;

  constructor(
    db: Db,
    private readonly batcher: WriteBatcher,
  ) {
    this.upsert = db.prepare(
      `INSERT INTO shadows (thing_name, shadow_name, version, document, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (thing_name, shadow_name) DO UPDATE SET version = excluded.version, document = excluded.document, updated_at = excluded.updated_at`,
    );
    this.selectAll = db.prepare(`SELECT thing_name AS thing, shadow_name AS name, version, document FROM shadows`);
    for (const row of this.selectAll.iterate() as Iterable<{ thing: string; name: string; version: number; document: string | null }>) {
      const doc = row.document === null ? undefined : ({ ...(JSON.parse(row.document) as Omit<ShadowDocument, 'version'>), version: row.version } as ShadowDocument);
      this.cache.set(key(row.thing, row.name), { doc, deletedVersion: doc ? undefined : row.version });
    }
  }

  get(thing: string, name: string): StoredShadow {
    return this.cache.get(key(thing, name)) ?? { doc: undefined, deletedVersion: undefined };
  }

  put(thing: string, name: string, doc: ShadowDocument, nowSec: number): void {
    const k = key(thing, name);
    this.cache.set(k, { doc, deletedVersion: undefined });
    const body = JSON.stringify({ state: doc.state, metadata: doc.metadata });
    this.batcher.enqueue(k, () => this.upsert.run(thing, name, doc.version, body, nowSec));
  }

  markDeleted(thing: string, name: string, version: number, nowSec: number): void {
    const k = key(thing, name);
    this.cache.set(k, { doc: undefined, deletedVersion: version });
    this.batcher.enqueue(k, () => this.upsert.run(thing, name, version, null, nowSec));
  }

  /** Names of the thing's existing named shadows, sorted. */
  namedShadows(thing: string): string[] {
    const prefix = key(thing, '');
    const out: string[] = [];
    for (const [k, v] of this.cache) {
      if (v.doc && k.startsWith(prefix) && k.length > prefix.length) out.push(k.slice(prefix.length));
    }
    return out.sort();
  }

  get size(): number {
    let n = 0;
    for (const v of this.cache.values()) if (v.doc) n++;
    return n;
  }
}
