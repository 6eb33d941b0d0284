/** Durations in fleet.yaml: a number of seconds, or a string such as "500ms", "10s", "5m", "1h". */
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PATTERN = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$/;

export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value * 1000 : undefined;
  if (typeof value !== 'string') return undefined;
  const m = PATTERN.exec(value);
  if (!m || !m[1] || !m[2]) return undefined;
  return Number(m[1]) * (UNITS[m[2]] ?? 1);
}

export const DURATION_HINT = 'a duration such as 10 (seconds), "500ms", "10s", "5m" or "1h"';
