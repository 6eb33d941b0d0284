import type { Db } from './store/sqlite.js';

/** Event types UpdateEventConfigurations knows (botocore `iot` EventType). */
export const EVENT_TYPES = [
  'THING',
  'THING_GROUP',
  'THING_TYPE',
  'THING_GROUP_MEMBERSHIP',
  'THING_GROUP_HIERARCHY',
  'THING_TYPE_ASSOCIATION',
  'JOB',
  'JOB_EXECUTION',
  'POLICY',
  'CERTIFICATE',
  'CA_CERTIFICATE',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export type EventConfigurations = Record<EventType, { Enabled: boolean }>;

const KEY = 'eventConfigurations';

/**
 * Which registry/jobs events are published (spec §5). AWS starts with all off; fleet.yaml's
 * `events` block gives the first value, and UpdateEventConfigurations changes it for good (it is
 * stored, so a restart keeps the operator's choice over the file's).
 */
export class EventSettings {
  private config: EventConfigurations;
  private readonly save;
  private readonly createdAt: number;
  private lastModifiedAt: number;

  constructor(db: Db, defaults: { job: boolean; jobExecution: boolean }, nowSec: number) {
    this.save = db.prepare(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`);
    const row = db.prepare(`SELECT value FROM settings WHERE key = ?`).get(KEY) as { value: string } | undefined;
    if (row) {
      const stored = JSON.parse(row.value) as { config: EventConfigurations; createdAt: number; lastModifiedAt: number };
      this.config = { ...initial(defaults), ...stored.config };
      this.createdAt = stored.createdAt;
      this.lastModifiedAt = stored.lastModifiedAt;
    } else {
      this.config = initial(defaults);
      this.createdAt = this.lastModifiedAt = nowSec;
    }
  }

  enabled(type: EventType): boolean {
    return this.config[type].Enabled;
  }

  describe(): { eventConfigurations: EventConfigurations; creationDate: number; lastModifiedDate: number } {
    return { eventConfigurations: structuredClone(this.config), creationDate: this.createdAt, lastModifiedDate: this.lastModifiedAt };
  }

  update(changes: Partial<Record<EventType, { Enabled: boolean }>>, nowSec: number): void {
    for (const [type, value] of Object.entries(changes) as [EventType, { Enabled: boolean }][]) this.config[type] = { Enabled: value.Enabled };
    this.lastModifiedAt = nowSec;
    this.save.run(KEY, JSON.stringify({ config: this.config, createdAt: this.createdAt, lastModifiedAt: this.lastModifiedAt }));
  }
}

function initial(defaults: { job: boolean; jobExecution: boolean }): EventConfigurations {
  const out = Object.fromEntries(EVENT_TYPES.map((t) => [t, { Enabled: false }])) as EventConfigurations;
  out.JOB = { Enabled: defaults.job };
  out.JOB_EXECUTION = { Enabled: defaults.jobExecution };
  return out;
}
