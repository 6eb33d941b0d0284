/**
 * The simulation clock survives restarts (issue 5 §7): its epoch is kept in the state store, and
 * a cloud restarted on the same `--state` goes on from the same simulated timeline. Stored
 * deadlines (releases, timeouts, windows) therefore keep their meaning, and fleet processes that
 * follow the old epoch stay in step. Time the cloud was down passes too, as it does on AWS.
 */
import type { ClockEpoch } from '../core/clock.js';
import { openStore } from '../cloud/store/sqlite.js';
import { parseClockEpoch } from './clock-epoch.js';

const KEY = 'clock.epoch';

/**
 * The epoch to run with at wall time `wallNow`: the stored one when it has this speed; one that
 * continues it at the new speed otherwise; a fresh one for a new store. Stored before returning.
 */
export function storedClockEpoch(statePath: string, speed: number, wallNow: number): ClockEpoch {
  const db = openStore(statePath);
  try {
    const row = db.prepare(`SELECT value FROM settings WHERE key = ?`).get(KEY) as { value: string } | undefined;
    const stored = row ? parseClockEpoch(safeJson(row.value)) : undefined;
    const epoch = continueEpoch(stored, speed, wallNow);
    db.prepare(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`).run(KEY, JSON.stringify(epoch));
    return epoch;
  } finally {
    db.close();
  }
}

export function continueEpoch(stored: ClockEpoch | undefined, speed: number, wallNow: number): ClockEpoch {
  if (!stored) return { wallMs: wallNow, simMs: wallNow, speed };
  if (stored.speed === speed) return stored;
  return { wallMs: wallNow, simMs: stored.simMs + (wallNow - stored.wallMs) * stored.speed, speed };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
