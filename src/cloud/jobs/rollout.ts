/**
 * Rollout rates (spec §4.1): how many of a job's targets may have been notified (given a QUEUED
 * execution) by a given moment. Pure: time arrives as `nowMs` (simulated epoch ms), and the
 * service keeps the returned `RolloutSegment` with the job so a restart resumes the same plan.
 *
 * Releases are spread evenly: at N per minute, one every 60/N s, the first at once (the
 * emulator's choice, §4.1: AWS's pattern within a minute is unverified), so a measured rate is
 * exact to one release. Timers that fire late make a backlog; release-window.ts sees to it that
 * catching up never puts more than N into any minute.
 */
import type { JobExecutionsRolloutConfig } from './job-configs.js';

/** AWS's default and ceiling for `maximumPerMinute` (§3.3). */
export const DEFAULT_MAXIMUM_PER_MINUTE = 1000;

const MINUTE_MS = 60_000;

/** What the rate depends on: targets notified so far and executions SUCCEEDED so far. */
export interface RolloutProgress {
  notified: number;
  succeeded: number;
}

/**
 * One stretch of constant rate: from `startMs`, `rate` releases per minute on top of the
 * `base` already released. A new segment starts whenever the rate changes (exponential rollouts).
 */
export interface RolloutSegment {
  startMs: number;
  base: number;
  /** Releases per minute; Infinity without a rollout config. */
  rate: number;
  /** The job's first segment releases one at its start; later ones continue the spacing. */
  first: boolean;
}

export interface ReleasePlan {
  /** How many executions to release now. */
  release: number;
  segment: RolloutSegment;
  /** When the next release falls due; undefined when nothing is left to release or all go now. */
  nextAtMs?: number;
}

/**
 * The exponential rate's step count so far: a "hit" each time the notified or succeeded count
 * passes another multiple of its threshold (§4.1), whichever gets there first.
 */
export function rateIncreases(config: NonNullable<JobExecutionsRolloutConfig['exponentialRate']>, progress: RolloutProgress): number {
  const c = config.rateIncreaseCriteria;
  const byNotified = c.numberOfNotifiedThings !== undefined ? Math.floor(progress.notified / c.numberOfNotifiedThings) : 0;
  const bySucceeded = c.numberOfSucceededThings !== undefined ? Math.floor(progress.succeeded / c.numberOfSucceededThings) : 0;
  return Math.max(byNotified, bySucceeded);
}

/**
 * Releases per minute now. No rollout config at all: no limit (the job's targets are notified at
 * once). Constant: `maximumPerMinute` (default 1000). Exponential: base × factor^k, floored
 * (§4.1, unverified), capped by `maximumPerMinute`.
 */
export function currentRate(config: JobExecutionsRolloutConfig | undefined, progress: RolloutProgress): number {
  if (config === undefined) return Infinity;
  const max = config.maximumPerMinute ?? DEFAULT_MAXIMUM_PER_MINUTE;
  const exp = config.exponentialRate;
  if (exp === undefined) return max;
  const k = rateIncreases(exp, progress);
  // Past the cap the exact power no longer matters; stop before it overflows to Infinity.
  let rate = exp.baseRatePerMinute;
  for (let i = 0; i < k && rate < max; i++) rate *= exp.incrementFactor;
  return Math.min(max, Math.floor(rate));
}

/** Releases the segment allows in total by `nowMs` (counting those before it). */
export function allowedBy(segment: RolloutSegment, nowMs: number): number {
  if (segment.rate === Infinity) return Infinity;
  const elapsed = Math.max(0, nowMs - segment.startMs);
  return segment.base + Math.floor((elapsed * segment.rate) / MINUTE_MS + 1e-9) + (segment.first ? 1 : 0);
}

/** The first moment at which the segment allows `count` releases in total. */
export function timeWhenAllowed(segment: RolloutSegment, count: number): number {
  const needed = count - segment.base - (segment.first ? 1 : 0);
  if (needed <= 0) return segment.startMs;
  return segment.startMs + Math.ceil((needed * MINUTE_MS) / segment.rate);
}

/**
 * What to release at `nowMs`, given the segment so far (undefined when the rollout begins),
 * progress, and how many targets still wait for an execution. The caller stores the returned
 * segment and calls again at `nextAtMs` if set, or sooner when progress changes (a success may
 * raise an exponential rate).
 */
export function planRelease(
  config: JobExecutionsRolloutConfig | undefined,
  previous: RolloutSegment | undefined,
  progress: RolloutProgress,
  waiting: number,
  nowMs: number,
): ReleasePlan {
  let segment = segmentFor(config, previous, progress, nowMs);
  if (waiting <= 0) return { release: 0, segment };
  const release = Math.max(0, Math.min(waiting, allowedBy(segment, nowMs) - progress.notified));
  if (segment.rate === Infinity) return { release, segment };
  const after: RolloutProgress = { notified: progress.notified + release, succeeded: progress.succeeded };
  // These releases may themselves pass a rate-increase threshold: the next one keeps the new rate.
  segment = segmentFor(config, segment, after, nowMs);
  if (release >= waiting) return { release, segment };
  return { release, segment, nextAtMs: Math.max(nowMs + 1, timeWhenAllowed(segment, after.notified + 1)) };
}

/**
 * The segment in force for `progress`. At a rate change the new segment starts at the last
 * release, so the next one keeps the new rate's spacing from it: starting at "now" instead would
 * squeeze in an extra release at every step and let a minute exceed its rate. Nor may it start
 * more than one new spacing before now, which would release a burst for time already past.
 */
function segmentFor(config: JobExecutionsRolloutConfig | undefined, previous: RolloutSegment | undefined, progress: RolloutProgress, nowMs: number): RolloutSegment {
  const rate = currentRate(config, progress);
  if (previous === undefined) return { startMs: nowMs, base: progress.notified, rate, first: true };
  if (previous.rate === rate) return previous;
  const lastRelease = previous.rate === Infinity ? nowMs : Math.min(nowMs, timeWhenAllowed(previous, progress.notified));
  // A rate raised by successes long after the last release owes no backlog: one release at most is due now.
  return { startMs: rate === Infinity ? nowMs : Math.max(lastRelease, nowMs - MINUTE_MS / rate), base: progress.notified, rate, first: false };
}

/**
 * The segment to continue with after a pause: the cloud restarted, or a maintenance window
 * reopened. The configured rate goes on from the last release, but with no backlog for the time
 * it was paused (issue 5: a restart resumes at the configured rate): at most one release is due
 * at once, then the usual spacing follows.
 */
export function resumeSegment(segment: RolloutSegment, notified: number, nowMs: number): RolloutSegment {
  if (segment.rate === Infinity) return segment;
  // Nothing released yet: the first release is still owed, now.
  if (segment.first && notified <= segment.base) return { startMs: nowMs, base: notified, rate: segment.rate, first: true };
  const lastRelease = timeWhenAllowed(segment, notified);
  return { startMs: Math.min(nowMs, Math.max(lastRelease, nowMs - MINUTE_MS / segment.rate)), base: notified, rate: segment.rate, first: false };
}
