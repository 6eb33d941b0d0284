/**
 * The fleet's current fault settings (issue 6 §2), kept by the cloud so that one place says what
 * every fleet process should inject: `GET/PUT /_acfleet/faults` read and change them, fleet
 * processes poll them. Stored in `settings`, so an operator's change survives a restart.
 */
import { z } from 'zod';
import { formatIssues } from '../config/load.js';
import { completeFaults, configuredFaults, faultsInput, faultsPatchSchema, faultsProblems, mergeFaults, type FaultsByGroup, type FaultsPatchInput } from '../config/faults.js';
import type { FleetConfig } from '../config/schema.js';
import { err, ok, type Result } from '../core/result.js';
import type { Db } from './store/sqlite.js';

/** The wire and stored form: durations as strings ("20s"), so reading it back gives the same ms. */
export interface FaultsDocument {
  groups: Record<string, FaultsPatchInput>;
}

/** GET /_acfleet/faults, as a fleet process reads it. */
export const faultsDocumentSchema = z.object({ groups: z.record(z.string(), faultsPatchSchema) });

/** The body of PUT /_acfleet/faults: reset first, then `faults` on every group, then each named group. */
export const faultsChangeSchema = z
  .object({
    /** Back to no faults before applying the rest: every group (true) or the groups named. */
    reset: z.union([z.boolean(), z.array(z.string())]).optional(),
    /** Fields to set on every group. */
    faults: faultsPatchSchema.optional(),
    /** Fields to set on one group each: `{"<group>": {…}}`. */
    groups: z.record(z.string(), faultsPatchSchema).optional(),
  })
  .strict()
  .refine((c) => (c.reset !== undefined && c.reset !== false) || c.faults !== undefined || c.groups !== undefined, {
    message: 'name what to change: "faults" (every group), "groups" ({"<group>": {…}}) or "reset": true',
  });
export type FaultsChange = z.input<typeof faultsChangeSchema>;

export function toDocument(faults: FaultsByGroup): FaultsDocument {
  return { groups: Object.fromEntries(Object.entries(faults).map(([name, f]) => [name, faultsInput(f)])) };
}

export function fromDocument(doc: z.output<typeof faultsDocumentSchema>): FaultsByGroup {
  return Object.fromEntries(Object.entries(doc.groups).map(([name, p]) => [name, completeFaults(p)]));
}

/** Applies a PUT body to the current faults; every problem names its path in the body. */
export function applyFaultsChange(current: FaultsByGroup, body: unknown): Result<FaultsByGroup, string[]> {
  const parsed = faultsChangeSchema.safeParse(body, { reportInput: true });
  if (!parsed.success) return err(formatIssues(parsed.error.issues));
  const change = parsed.data;
  const names = Object.keys(current);
  const unknown = [
    ...Object.keys(change.groups ?? {}).flatMap((g) => (g in current ? [] : [[`groups.${g}`, g]])),
    ...(Array.isArray(change.reset) ? change.reset.flatMap((g, i) => (g in current ? [] : [[`reset[${i}]`, g]])) : []),
  ];
  if (unknown.length > 0) return err(unknown.map(([path, g]) => `${path}: no group is named "${g}" (the groups are ${names.join(', ')})`));
  const reset = (name: string): boolean => change.reset === true || (Array.isArray(change.reset) && change.reset.includes(name));
  const next: FaultsByGroup = {};
  const issues = new Set<string>();
  for (const name of names) {
    const base = reset(name) ? completeFaults({}) : current[name];
    const own = change.groups?.[name];
    const f = completeFaults(mergeFaults(mergeFaults(base, change.faults), own));
    for (const [path, message] of faultsProblems(f)) {
      // Blame the part of the body that set this group: its own block, else the one for every group.
      if (own || !change.faults) issues.add(`${['groups', name, ...path].join('.')}: ${message}`);
      else issues.add(`${['faults', ...path].join('.')}: on group ${name}, ${message}`);
    }
    next[name] = f;
  }
  return issues.size > 0 ? err([...issues]) : ok(next);
}

const KEY = 'faults';

interface Stored {
  /** fleet.yaml's faults when this was stored: a changed file (or --faults) wins over the store. */
  configured: string;
  document: FaultsDocument;
}

export class FaultSettings {
  private faults: FaultsByGroup;
  private readonly save;
  private readonly configured: string;

  constructor(db: Db, config: FleetConfig) {
    const configured = configuredFaults(config);
    this.configured = JSON.stringify(toDocument(configured));
    this.save = db.prepare(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`);
    const row = db.prepare(`SELECT value FROM settings WHERE key = ?`).get(KEY) as { value: string } | undefined;
    const stored = row ? storedFaults(row.value, this.configured) : undefined;
    // Groups added to fleet.yaml since take their configured faults; removed ones are forgotten.
    this.faults = Object.fromEntries(Object.entries(configured).map(([name, f]) => [name, stored?.[name] ?? f]));
    this.persist();
  }

  /** The current faults per group; do not change the objects. */
  get current(): FaultsByGroup {
    return this.faults;
  }

  document(): FaultsDocument {
    return toDocument(this.faults);
  }

  /** Validates and applies a PUT body; nothing changes unless all of it is valid. */
  change(body: unknown): Result<FaultsByGroup, string[]> {
    const next = applyFaultsChange(this.faults, body);
    if (next.ok) {
      this.faults = next.value;
      this.persist();
    }
    return next;
  }

  private persist(): void {
    const value: Stored = { configured: this.configured, document: this.document() };
    this.save.run(KEY, JSON.stringify(value));
  }
}

/** The stored faults, when they were stored under the same configuration and still parse. */
function storedFaults(text: string, configured: string): FaultsByGroup | undefined {
  let stored: Partial<Stored>;
  try {
    stored = JSON.parse(text) as Partial<Stored>;
  } catch {
    return undefined;
  }
  if (stored.configured !== configured) return undefined;
  const doc = faultsDocumentSchema.safeParse(stored.document);
  return doc.success ? fromDocument(doc.data) : undefined;
}
