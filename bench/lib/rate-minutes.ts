/**
 * Releases per simulated minute, from a list of release times. Pure: the rollout bench feeds it
 * the devices' notify-next arrivals (converted to simulated time) and the executions' queuedAt.
 */
import type { ClockEpoch } from '../../src/core/clock.js';
import { median } from './latency.js';

const MINUTE_MS = 60_000;
/** Float slack when a window's end meets the last release exactly. */
const EPSILON_MS = 1e-6;

export interface MinuteCounts {
  /** Releases in each full simulated minute, in order. */
  counts: number[];
  /** The count furthest from the configured rate; undefined without a full minute. */
  worst: number | undefined;
  /** |worst − rate| ÷ rate, %. */
  maxDeviationPct: number;
}

/** Wall epoch ms (as the bench's nowMs) → the cloud's simulated epoch ms. */
export const toSimMs = (epoch: ClockEpoch, wallMs: number): number => epoch.simMs + (wallMs - epoch.wallMs) * epoch.speed;

/**
 * Counts `times` (ascending, simulated ms) in back-to-back minutes from `fromMs`, keeping only the
 * minutes that end by `untilMs`: the rollout covered them from end to end, so each should hold
 * exactly `rate` releases whatever the phase of the minute against the release spacing.
 */
export function fullMinuteCounts(times: readonly number[], fromMs: number, untilMs: number, rate: number): MinuteCounts {
  const minutes = Math.max(0, Math.floor((untilMs - fromMs + EPSILON_MS) / MINUTE_MS));
  const counts = new Array<number>(minutes).fill(0);
  for (const t of times) {
    const k = Math.floor((t - fromMs) / MINUTE_MS);
    if (k >= 0 && k < minutes) counts[k] = (counts[k] ?? 0) + 1;
  }
  let worst: number | undefined;
  for (const c of counts) if (worst === undefined || Math.abs(c - rate) > Math.abs(worst - rate)) worst = c;
  return { counts, worst, maxDeviationPct: worst === undefined ? Number.NaN : (Math.abs(worst - rate) / rate) * 100 };
}

/**
 * The devices' view. An arrival is its release plus a delivery delay, and the first few carry
 * CreateJob's own handling time too (the first release is made inside it, the ones due meanwhile
 * catch up after). So minutes start at createdAt plus the median delay of the arrivals against
 * their scheduled releases, less half a spacing: boundaries fall midway between scheduled
 * releases as the devices see them, and a delay that varies by less than half a spacing cannot
 * move a release into another minute.
 */
export function deviceMinutes(arrivalsSimMs: readonly number[], createdAtMs: number, rate: number): MinuteCounts {
  const last = arrivalsSimMs[arrivalsSimMs.length - 1];
  if (last === undefined) return fullMinuteCounts([], 0, 0, rate);
  const spacing = MINUTE_MS / rate;
  const delay = median(arrivalsSimMs.map((t, i) => t - (createdAtMs + i * spacing)));
  return fullMinuteCounts(arrivalsSimMs, createdAtMs + delay - spacing / 2, last + spacing / 2, rate);
}

/**
 * The store's view: queuedAt is whole epoch seconds (the release time, floored). Minutes start at
 * the first whole second after the job's creation and must end by the last queuedAt, so the
 * rollout had started before each one began and was still releasing when it ended.
 */
export function queuedMinutes(queuedAtSec: readonly number[], createdAtSec: number, rate: number): MinuteCounts {
  const ms = queuedAtSec.map((s) => s * 1000).sort((a, b) => a - b);
  const last = ms[ms.length - 1];
  if (last === undefined) return fullMinuteCounts([], 0, 0, rate);
  return fullMinuteCounts(ms, Math.ceil(createdAtSec) * 1000, last, rate);
}

export interface SlidingWindow {
  /** Fewest and most releases in any minute that starts at a release and ends by the last one. */
  min: number;
  max: number;
}

/** A stricter look than fixed minutes: every minute-long window starting at a release. */
export function slidingMinute(timesSimMs: readonly number[]): SlidingWindow | undefined {
  const last = timesSimMs[timesSimMs.length - 1];
  if (last === undefined) return undefined;
  let min = Number.POSITIVE_INFINITY;
  let max = 0;
  let j = 0;
  for (let i = 0; i < timesSimMs.length; i++) {
    const start = timesSimMs[i] as number;
    if (start + MINUTE_MS > last + EPSILON_MS) break;
    while (j < timesSimMs.length && (timesSimMs[j] as number) < start + MINUTE_MS) j++;
    min = Math.min(min, j - i);
    max = Math.max(max, j - i);
  }
  return max === 0 ? undefined : { min, max };
}

/** Releases per simulated minute from the first to the last. */
export function meanRatePerMinute(timesSimMs: readonly number[]): number {
  const first = timesSimMs[0];
  const last = timesSimMs[timesSimMs.length - 1];
  if (first === undefined || last === undefined || last === first) return Number.NaN;
  return ((timesSimMs.length - 1) * MINUTE_MS) / (last - first);
}
