import type { ClockEpoch } from '../core/clock.js';

/** Parses ACFLEET_CLOCK_EPOCH / the cloud's /_acfleet/clock answer. */
export function parseClockEpoch(v: unknown): ClockEpoch | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const { wallMs, simMs, speed } = v as Record<string, unknown>;
  if (typeof wallMs !== 'number' || typeof simMs !== 'number' || typeof speed !== 'number' || !(speed > 0)) return undefined;
  return { wallMs, simMs, speed };
}

/** The simulation clock to follow: the parent's (env), the cloud's (HTTP), or a fresh one. */
export async function resolveClockEpoch(speed: number, cloudUrl: string | undefined): Promise<ClockEpoch> {
  const env = process.env.ACFLEET_CLOCK_EPOCH;
  if (env) {
    const parsed = parseClockEpoch(JSON.parse(env));
    if (parsed) return parsed;
  }
  if (cloudUrl) {
    const res = await fetch(new URL('/_acfleet/clock', cloudUrl));
    const parsed = parseClockEpoch(await res.json());
    if (!parsed) throw new Error(`${cloudUrl}/_acfleet/clock did not return a clock epoch`);
    return parsed;
  }
  const now = Date.now();
  return { wallMs: now, simMs: now, speed };
}
