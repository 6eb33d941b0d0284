import { z } from 'zod';

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

/**
 * Milliseconds as the largest unit that keeps them whole ("90s", "5m", "250ms"): what we show and
 * what the HTTP API returns, so a value read back parses to the same milliseconds.
 */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** A duration field: accepts seconds or "10s"-style strings, yields milliseconds. */
export const durationField = (min: number, max: number) =>
  z.union([z.number(), z.string()]).transform((v, ctx) => {
    const ms = parseDuration(v);
    if (ms === undefined || ms < min || ms > max) {
      ctx.addIssue({ code: 'custom', message: `expected ${DURATION_HINT}, between ${min / 1000}s and ${max / 1000}s` });
      return z.NEVER;
    }
    return ms;
  });
