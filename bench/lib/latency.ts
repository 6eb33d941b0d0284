/** Latency distributions through HdrHistogram (microsecond resolution, up to 2 minutes). */
import { build } from 'hdr-histogram-js';

export interface LatencySummary {
  count: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

export function summarizeMs(valuesMs: ArrayLike<number>): LatencySummary {
  const h = build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: 3 });
  try {
    for (let i = 0; i < valuesMs.length; i++) h.recordValue(Math.min(120_000_000, Math.max(1, Math.round((valuesMs[i] ?? 0) * 1000))));
    const at = (p: number): number => h.getValueAtPercentile(p) / 1000;
    return { count: h.totalCount, p50Ms: at(50), p90Ms: at(90), p99Ms: at(99), maxMs: h.maxValue / 1000 };
  } finally {
    h.destroy();
  }
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}
