import { describe, expect, it } from 'vitest';
import type { JobExecution, JobExecutionStatus } from '../../src/cloud/jobs/executions.js';
import { abortStanding, jobProgress, MAX_BUCKETS } from '../../src/cloud/jobs/job-progress.js';
import { emptyCounts, type Job } from '../../src/cloud/jobs/job.js';
import { currentRate } from '../../src/cloud/jobs/rollout.js';

/** The job's creation, epoch seconds: on a whole second, off a whole minute. */
const T0 = 1_700_000_007;

function job(extra: Partial<Job> = {}): Job {
  return {
    jobId: 'j',
    jobArn: 'arn:aws:iot:us-east-1:123456789012:job/j',
    targets: ['arn:aws:iot:us-east-1:123456789012:thinggroup/G'],
    targetSelection: 'SNAPSHOT',
    document: '{}',
    status: 'IN_PROGRESS',
    forceCanceled: false,
    createdAt: T0 * 1000,
    lastUpdatedAt: T0 * 1000,
    ...extra,
  };
}

/** An execution with times in seconds after T0. */
function exec(o: { thing: string; n?: number; retry?: number; queued: number; started?: number; status: JobExecutionStatus; updated?: number }): JobExecution {
  return {
    jobId: 'j',
    thingName: o.thing,
    executionNumber: o.n ?? 1,
    status: o.status,
    statusDetails: {},
    queuedAt: T0 + o.queued,
    ...(o.started !== undefined ? { startedAt: T0 + o.started } : {}),
    lastUpdatedAt: T0 + (o.updated ?? o.started ?? o.queued),
    versionNumber: 1,
    retryAttempt: o.retry ?? 0,
  };
}

const at = (sec: number): number => (T0 + sec) * 1000;

describe('jobProgress buckets', () => {
  it('counts releases, starts and outcomes per minute from the job creation, and what runs at each minute end', () => {
    const p = jobProgress(
      job({ jobExecutionsRolloutConfig: { maximumPerMinute: 2 } }),
      [
        exec({ thing: 'a', queued: 0, started: 5, status: 'SUCCEEDED', updated: 20 }),
        exec({ thing: 'b', queued: 30, started: 50, status: 'FAILED', updated: 70 }),
        exec({ thing: 'c', queued: 60, started: 61, status: 'IN_PROGRESS' }),
        exec({ thing: 'd', queued: 90, status: 'QUEUED' }),
        exec({ thing: 'e', queued: 100, status: 'REJECTED', updated: 125 }),
      ],
      at(150),
    );
    expect(p.bucketMinutes).toBe(1);
    expect(p.startedAt).toBe(T0 * 1000);
    expect(p.series.at).toEqual([at(0), at(60), at(120)]);
    expect(p.series.released).toEqual([2, 3, 0]);
    expect(p.series.started).toEqual([2, 1, 0]);
    expect(p.series.succeeded).toEqual([1, 0, 0]);
    expect(p.series.failed).toEqual([0, 1, 0]);
    expect(p.series.rejected).toEqual([0, 0, 1]);
    // b runs across the first minute's end; c is still running now.
    expect(p.series.inProgress).toEqual([1, 1, 1]);
    // d waits from minute 1 on; e waited across minute 1's end and was rejected straight from QUEUED.
    expect(p.series.queued).toEqual([0, 2, 1]);
    expect(p.series.rate).toEqual([2, 2, 2]);
    expect(p.rollout).toMatchObject({ kind: 'constant', currentRate: 2, notified: 5, succeeded: 1 });
    expect(p.executions).toMatchObject({ total: 5, SUCCEEDED: 1, FAILED: 1, IN_PROGRESS: 1, QUEUED: 1, REJECTED: 1 });
  });

  it('does not count an execution that started and ended within a minute as in progress at its end', () => {
    const p = jobProgress(job(), [exec({ thing: 'a', queued: 0, started: 10, status: 'TIMED_OUT', updated: 40 })], at(70));
    expect(p.series.inProgress).toEqual([0, 0]);
    expect(p.series.timedOut).toEqual([1, 0]);
  });

  it('counts every execution: a retry is its own release, start and outcome', () => {
    const p = jobProgress(
      job({ jobExecutionsRetryConfig: { criteriaList: [{ failureType: 'FAILED', numberOfRetries: 1 }] } }),
      [
        exec({ thing: 'a', n: 1, queued: 0, started: 10, status: 'FAILED', updated: 30 }),
        exec({ thing: 'a', n: 2, retry: 1, queued: 30, started: 40, status: 'SUCCEEDED', updated: 90 }),
      ],
      at(100),
    );
    expect(p.series.released).toEqual([1, 0]);
    expect(p.series.retried).toEqual([1, 0]);
    expect(p.series.started).toEqual([2, 0]);
    expect(p.series.failed).toEqual([1, 0]);
    expect(p.series.succeeded).toEqual([0, 1]);
    expect(p.series.inProgress).toEqual([1, 0]);
    expect(p.executions.total).toBe(2);
    // Only releases drive the rate: the retry is not a newly notified target.
    expect(p.rollout.notified).toBe(1);
    expect(p.retryConfig).toEqual({ criteriaList: [{ failureType: 'FAILED', numberOfRetries: 1 }] });
  });

  it('starts a scheduled job at its start time and gives none before it', () => {
    const scheduled = job({ status: 'SCHEDULED', startsAt: at(600) });
    expect(jobProgress(scheduled, [], at(300)).series.at).toEqual([]);
    const started = jobProgress({ ...scheduled, status: 'IN_PROGRESS' }, [exec({ thing: 'a', queued: 600, status: 'QUEUED' })], at(610));
    expect(started.startedAt).toBe(at(600));
    expect(started.series.released).toEqual([1]);
  });

  it('ends a finished job at its last event, not now', () => {
    const p = jobProgress(
      job({ status: 'COMPLETED', completedAt: at(80), lastUpdatedAt: at(80) }),
      [exec({ thing: 'a', queued: 0, started: 1, status: 'SUCCEEDED', updated: 80 })],
      at(3600),
    );
    expect(p.series.at).toHaveLength(2);
  });

  it('widens the buckets of a long job to keep at most a day of them', () => {
    const threeDays = 3 * 86_400;
    const p = jobProgress(job(), [exec({ thing: 'a', queued: 0, status: 'QUEUED' }), exec({ thing: 'b', queued: threeDays - 1, status: 'QUEUED' })], at(threeDays));
    expect(p.bucketMinutes).toBe(Math.ceil((threeDays / 60 + 1) / MAX_BUCKETS));
    expect(p.series.at.length).toBeLessThanOrEqual(MAX_BUCKETS);
    expect(p.series.released.reduce((a, b) => a + b, 0)).toBe(2);
    expect(p.series.queued.at(-1)).toBe(2);
    expect((p.series.at[1] ?? 0) - (p.series.at[0] ?? 0)).toBe(p.bucketMinutes * 60_000);
  });
});

describe('jobProgress rates', () => {
  it('is null (unlimited) without a rollout config', () => {
    const p = jobProgress(job(), [exec({ thing: 'a', queued: 0, status: 'QUEUED' }), exec({ thing: 'b', queued: 0, status: 'QUEUED' })], at(90));
    expect(p.series.rate).toEqual([null, null]);
    expect(p.rollout).toMatchObject({ kind: 'unlimited', config: null, currentRate: null });
  });

  it('follows an exponential rate raised by notified things, minute by minute', () => {
    const config = { maximumPerMinute: 100, exponentialRate: { baseRatePerMinute: 1, incrementFactor: 2, rateIncreaseCriteria: { numberOfNotifiedThings: 2 } } };
    const p = jobProgress(
      job({ jobExecutionsRolloutConfig: config }),
      [
        exec({ thing: 'a', queued: 0, status: 'QUEUED' }),
        exec({ thing: 'b', queued: 60, status: 'QUEUED' }),
        exec({ thing: 'c', queued: 120, status: 'QUEUED' }),
        exec({ thing: 'd', queued: 150, status: 'QUEUED' }),
      ],
      at(170),
    );
    // 1 notified → k 0; 2 → k 1; 4 → k 2.
    expect(p.series.rate).toEqual([1, 2, 4]);
    expect(p.series.rate[2]).toBe(currentRate(config, { notified: 4, succeeded: 0 }));
    expect(p.rollout).toMatchObject({ kind: 'exponential', currentRate: 4 });
  });

  it('follows an exponential rate raised by successes, capped by maximumPerMinute', () => {
    const config = { maximumPerMinute: 3, exponentialRate: { baseRatePerMinute: 1, incrementFactor: 2, rateIncreaseCriteria: { numberOfSucceededThings: 1 } } };
    const p = jobProgress(
      job({ jobExecutionsRolloutConfig: config }),
      [
        exec({ thing: 'a', queued: 0, started: 1, status: 'SUCCEEDED', updated: 70 }),
        exec({ thing: 'b', queued: 75, started: 76, status: 'SUCCEEDED', updated: 130 }),
        exec({ thing: 'c', queued: 135, status: 'QUEUED' }),
      ],
      at(140),
    );
    // 0 succeeded → 1; 1 → 2; 2 → 4, capped at 3.
    expect(p.series.rate).toEqual([1, 2, 3]);
    expect(p.rollout.currentRate).toBe(3);
  });
});

describe('abort standing', () => {
  const config = { criteriaList: [{ failureType: 'ALL' as const, action: 'CANCEL' as const, thresholdPercentage: 50, minNumberOfExecutedThings: 4 }] };
  const counts = (c: Partial<ReturnType<typeof emptyCounts>>) => ({ ...emptyCounts(), ...c });

  it('waits for minNumberOfExecutedThings, then compares failures of the type with the threshold', () => {
    const below = abortStanding({ abortConfig: config }, counts({ FAILED: 1, TIMED_OUT: 1, SUCCEEDED: 1, IN_PROGRESS: 5 }));
    expect(below).toEqual([
      { failureType: 'ALL', action: 'CANCEL', thresholdPercentage: 50, minNumberOfExecutedThings: 4, executed: 3, failures: 2, percentage: (2 * 100) / 3, met: false },
    ]);
    const atMinimum = abortStanding({ abortConfig: config }, counts({ FAILED: 1, REJECTED: 1, SUCCEEDED: 2 }));
    expect(atMinimum[0]).toMatchObject({ executed: 4, failures: 2, percentage: 50, met: true });
    const underThreshold = abortStanding({ abortConfig: config }, counts({ FAILED: 1, SUCCEEDED: 3 }));
    expect(underThreshold[0]).toMatchObject({ executed: 4, failures: 1, percentage: 25, met: false });
  });

  it('counts only failures of the criterion type', () => {
    const timedOut = { criteriaList: [{ failureType: 'TIMED_OUT' as const, action: 'CANCEL' as const, thresholdPercentage: 10, minNumberOfExecutedThings: 1 }] };
    expect(abortStanding({ abortConfig: timedOut }, counts({ FAILED: 3, SUCCEEDED: 1 }))[0]).toMatchObject({ failures: 0, met: false });
  });

  it('judges each thing by its latest execution, so a failure being retried is not final', () => {
    const p = jobProgress(
      job({ abortConfig: { criteriaList: [{ failureType: 'FAILED', action: 'CANCEL', thresholdPercentage: 10, minNumberOfExecutedThings: 1 }] } }),
      [
        exec({ thing: 'a', n: 1, queued: 0, started: 1, status: 'FAILED', updated: 2 }),
        exec({ thing: 'a', n: 2, retry: 1, queued: 2, status: 'QUEUED' }),
        exec({ thing: 'b', queued: 0, started: 1, status: 'SUCCEEDED', updated: 3 }),
      ],
      at(10),
    );
    expect(p.abort[0]).toMatchObject({ executed: 1, failures: 0, met: false });
    expect(jobProgress(job(), [], at(10)).abort).toEqual([]);
  });
});
