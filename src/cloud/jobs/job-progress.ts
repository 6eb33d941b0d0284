/**
 * A job's progress per minute of simulated time, for the dashboard's job page: what was released,
 * started and finished in each minute, what was running at its end, and the rate the rollout
 * config allowed then; plus where each abort criterion stands. Pure: everything derives from the
 * stored execution timestamps, so the answer is the same after a restart, and time arrives as
 * `nowMs`. The rate and abort rules are rollout.ts's and abort.ts's, not re-derived here.
 */
import type { AbortStanding, JobProgress, ProgressSeries, StatusCountsView } from '../../api/dashboard-jobs-types.js';
import { abortCriterionMet, failuresOf } from './abort.js';
import { tallyOf } from './execution-outcomes.js';
import { isTerminal, type JobExecution } from './executions.js';
import { emptyCounts, type Job } from './job.js';
import { currentRate } from './rollout.js';

/** Most buckets returned: a day of minutes; a longer job gets wider buckets instead. */
export const MAX_BUCKETS = 1440;

const MINUTE_S = 60;

/** Where a job's minutes start and end, and how wide its buckets are. */
interface Timeline {
  originSec: number;
  bucketSec: number;
  buckets: number;
}

export function jobProgress(job: Job, executions: Iterable<JobExecution>, nowMs: number): JobProgress {
  const all = [...executions];
  const origin = job.startsAt ?? job.createdAt;
  const timeline = timelineOf(origin, endOf(job, all, nowMs));
  const series = emptySeries(timeline);
  const executionCounts = { ...emptyCounts(), total: all.length };
  const latest = new Map<string, JobExecution>();
  // Changes per bucket, summed afterwards into the standing numbers at each bucket's end.
  const notifiedDelta = new Array<number>(timeline.buckets).fill(0);
  const inProgressDelta = new Array<number>(timeline.buckets).fill(0);
  const queuedDelta = new Array<number>(timeline.buckets).fill(0);
  const at = (sec: number): number => bucketOf(timeline, sec);

  for (const e of all) {
    executionCounts[e.status]++;
    const seen = latest.get(e.thingName);
    if (!seen || seen.executionNumber < e.executionNumber) latest.set(e.thingName, e);
    if (timeline.buckets === 0) continue;
    const terminal = isTerminal(e.status);
    const queuedIn = at(e.queuedAt);
    if (e.retryAttempt > 0) bump(series.retried, queuedIn);
    else {
      bump(series.released, queuedIn);
      bump(notifiedDelta, queuedIn);
    }
    bump(queuedDelta, queuedIn);
    if (e.startedAt !== undefined) {
      const startedIn = at(e.startedAt);
      bump(series.started, startedIn);
      bump(queuedDelta, startedIn, -1);
      bump(inProgressDelta, startedIn);
      if (terminal) bump(inProgressDelta, at(e.lastUpdatedAt), -1);
    } else if (terminal) {
      bump(queuedDelta, at(e.lastUpdatedAt), -1);
    }
    if (terminal) {
      const column = TERMINAL_COLUMN[e.status];
      if (column) bump(series[column], at(e.lastUpdatedAt));
    }
  }

  const config = job.jobExecutionsRolloutConfig;
  let notified = 0;
  let succeeded = 0;
  let inProgress = 0;
  let queued = 0;
  for (let i = 0; i < timeline.buckets; i++) {
    notified += notifiedDelta[i] ?? 0;
    succeeded += series.succeeded[i] ?? 0;
    inProgress += inProgressDelta[i] ?? 0;
    queued += queuedDelta[i] ?? 0;
    series.inProgress[i] = inProgress;
    series.queued[i] = queued;
    series.rate[i] = finite(currentRate(config, { notified, succeeded }));
  }

  const totalNotified = all.reduce((n, e) => n + (e.retryAttempt === 0 ? 1 : 0), 0);
  const totalSucceeded = executionCounts.SUCCEEDED;
  const latestCounts = emptyCounts();
  for (const e of latest.values()) latestCounts[e.status]++;

  return {
    jobId: job.jobId,
    status: job.status,
    startedAt: origin,
    now: nowMs,
    bucketMinutes: timeline.bucketSec / MINUTE_S,
    series,
    executions: executionCounts,
    rollout: {
      kind: config === undefined ? 'unlimited' : config.exponentialRate !== undefined ? 'exponential' : 'constant',
      config: config ?? null,
      currentRate: finite(currentRate(config, { notified: totalNotified, succeeded: totalSucceeded })),
      notified: totalNotified,
      succeeded: totalSucceeded,
    },
    abort: abortStanding(job, latestCounts),
    timeoutConfig: job.timeoutConfig ?? null,
    retryConfig: job.jobExecutionsRetryConfig ?? null,
  };
}

/**
 * Each criterion against the final outcomes so far, counted over every thing's latest execution
 * as the service does (execution-outcomes.ts), so a failure that will be retried is not yet one.
 */
export function abortStanding(job: Pick<Job, 'abortConfig'>, latestCounts: StatusCountsView): AbortStanding[] {
  const tally = tallyOf(latestCounts);
  return (job.abortConfig?.criteriaList ?? []).map((c) => {
    const failures = failuresOf(tally, c.failureType);
    return {
      failureType: c.failureType,
      action: c.action,
      thresholdPercentage: c.thresholdPercentage,
      minNumberOfExecutedThings: c.minNumberOfExecutedThings,
      executed: tally.executed,
      failures,
      percentage: tally.executed === 0 ? 0 : (failures * 100) / tally.executed,
      met: abortCriterionMet({ criteriaList: [c] }, tally) !== undefined,
    };
  });
}

type CountColumn = 'succeeded' | 'failed' | 'timedOut' | 'rejected' | 'canceled' | 'removed';

const TERMINAL_COLUMN: Partial<Record<JobExecution['status'], CountColumn>> = {
  SUCCEEDED: 'succeeded',
  FAILED: 'failed',
  TIMED_OUT: 'timedOut',
  REJECTED: 'rejected',
  CANCELED: 'canceled',
  REMOVED: 'removed',
};

/**
 * The last moment worth a bucket: now while anything may still change, else the job's last
 * event (its completion, or the last execution to end after a cancel), so a finished job's chart
 * does not grow a flat tail for ever.
 */
function endOf(job: Job, executions: readonly JobExecution[], nowMs: number): number {
  const live = job.status === 'IN_PROGRESS' || job.status === 'SCHEDULED' || executions.some((e) => !isTerminal(e.status));
  if (live) return nowMs;
  let last = job.completedAt ?? job.lastUpdatedAt;
  for (const e of executions) last = Math.max(last, e.lastUpdatedAt * 1000);
  return Math.min(last, nowMs);
}

function timelineOf(originMs: number, endMs: number): Timeline {
  // Execution times are whole seconds, floored (ExecutionLedger.nowSec): so is the origin.
  const originSec = Math.floor(originMs / 1000);
  const endSec = Math.floor(endMs / 1000);
  if (endSec < originSec) return { originSec, bucketSec: MINUTE_S, buckets: 0 };
  const minutes = Math.floor((endSec - originSec) / MINUTE_S) + 1;
  const width = Math.ceil(minutes / MAX_BUCKETS);
  return { originSec, bucketSec: width * MINUTE_S, buckets: Math.ceil(minutes / width) };
}

/** The bucket holding `sec`; times outside the timeline go to its first or last bucket. */
function bucketOf(t: Timeline, sec: number): number {
  const i = Math.floor((sec - t.originSec) / t.bucketSec);
  return Math.min(t.buckets - 1, Math.max(0, i));
}

function emptySeries(t: Timeline): ProgressSeries {
  const zeros = (): number[] => new Array<number>(t.buckets).fill(0);
  return {
    at: Array.from({ length: t.buckets }, (_, i) => (t.originSec + i * t.bucketSec) * 1000),
    released: zeros(),
    retried: zeros(),
    started: zeros(),
    succeeded: zeros(),
    failed: zeros(),
    timedOut: zeros(),
    rejected: zeros(),
    canceled: zeros(),
    removed: zeros(),
    inProgress: zeros(),
    queued: zeros(),
    rate: new Array<number | null>(t.buckets).fill(null),
  };
}

function bump(column: number[], i: number, by = 1): void {
  column[i] = (column[i] ?? 0) + by;
}

const finite = (rate: number): number | null => (Number.isFinite(rate) ? rate : null);
