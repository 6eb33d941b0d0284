import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { applyDeviceUpdate, applyServiceTransition, newExecution, type JobExecution } from '../../src/cloud/jobs/executions.js';
import { RETRIES_MAX, RETRY_FAILURE_TYPES, type JobExecutionsRetryConfig } from '../../src/cloud/jobs/job-configs.js';
import { isFailure, isFinalFailure, nextRetry, retryBudget, willRetry, type RetryableFailure } from '../../src/cloud/jobs/retries.js';

const T0 = 1_767_225_600;

type Outcome = 'SUCCEEDED' | 'FAILED' | 'REJECTED' | 'TIMED_OUT' | 'CANCELED' | 'REMOVED';

function value(r: ReturnType<typeof applyDeviceUpdate>): JobExecution {
  if (!r.ok) throw new Error(`rejected: ${r.error.code} ${r.error.message}`);
  return r.value;
}

const first = (): JobExecution => newExecution({ jobId: 'j1', thingName: 'sp1', executionNumber: 1, retryAttempt: 0, nowSec: T0 });

/** Starts a QUEUED execution (with a step timer) and ends it in `outcome`, as the device or the service would. */
function end(exec: JobExecution, outcome: Outcome): JobExecution {
  const t = exec.queuedAt + 10;
  const running = value(applyDeviceUpdate(exec, { status: 'IN_PROGRESS', stepTimeoutInMinutes: 1 }, t));
  switch (outcome) {
    case 'SUCCEEDED':
    case 'FAILED':
    case 'REJECTED':
      return value(applyDeviceUpdate(running, { status: outcome }, t + 30));
    case 'TIMED_OUT':
      return value(applyServiceTransition(running, 'TIMED_OUT', t + 60));
    case 'CANCELED':
      return value(applyServiceTransition(running, 'CANCELED', t + 30, { force: true }));
    case 'REMOVED':
      return value(applyServiceTransition(running, 'REMOVED', t + 30));
  }
}

const config = (...criteria: [JobExecutionsRetryConfig['criteriaList'][number]['failureType'], number][]): JobExecutionsRetryConfig => ({
  criteriaList: criteria.map(([failureType, numberOfRetries]) => ({ failureType, numberOfRetries })),
});

/** Every execution a thing runs, retries included, when each attempt ends in `outcome`. */
function chain(cfg: JobExecutionsRetryConfig | undefined, outcome: Outcome): JobExecution[] {
  const runs: JobExecution[] = [];
  let exec: JobExecution | undefined = first();
  while (exec) {
    const ended = end(exec, outcome);
    runs.push(ended);
    exec = nextRetry(ended, cfg, ended.lastUpdatedAt + 1);
    if (runs.length > 20) throw new Error('retries never stop');
  }
  return runs;
}

describe('retryBudget', () => {
  it('is 0 without a retry config', () => {
    expect(retryBudget(undefined, 'FAILED')).toBe(0);
    expect(retryBudget(undefined, 'TIMED_OUT')).toBe(0);
  });

  it('takes the criterion naming the failure type', () => {
    const cfg = config(['FAILED', 2], ['TIMED_OUT', 1]);
    expect(retryBudget(cfg, 'FAILED')).toBe(2);
    expect(retryBudget(cfg, 'TIMED_OUT')).toBe(1);
  });

  it('gives 0 to a type no criterion covers', () => {
    expect(retryBudget(config(['FAILED', 2]), 'TIMED_OUT')).toBe(0);
    expect(retryBudget(config(['TIMED_OUT', 1]), 'FAILED')).toBe(0);
  });

  it('lets ALL cover both types', () => {
    expect(retryBudget(config(['ALL', 3]), 'FAILED')).toBe(3);
    expect(retryBudget(config(['ALL', 3]), 'TIMED_OUT')).toBe(3);
  });

  it('prefers a specific criterion over ALL, in either order', () => {
    for (const cfg of [config(['FAILED', 1], ['ALL', 3]), config(['ALL', 3], ['FAILED', 1])]) {
      expect(retryBudget(cfg, 'FAILED')).toBe(1);
      expect(retryBudget(cfg, 'TIMED_OUT')).toBe(3);
    }
    expect(retryBudget(config(['ALL', 4], ['TIMED_OUT', 0]), 'TIMED_OUT')).toBe(0);
  });
});

describe('nextRetry', () => {
  it('{FAILED, 2}: executionNumber 2, then 3, then no more (§10 #50)', () => {
    const runs = chain(config(['FAILED', 2]), 'FAILED');
    expect(runs.map((r) => [r.executionNumber, r.retryAttempt, r.status])).toEqual([
      [1, 0, 'FAILED'],
      [2, 1, 'FAILED'],
      [3, 2, 'FAILED'],
    ]);
  });

  it('is a fresh QUEUED execution of the same job and thing, queued at nowSec', () => {
    const failed = end(first(), 'FAILED');
    const retry = nextRetry(failed, config(['FAILED', 2]), T0 + 100);
    expect(retry).toEqual({
      jobId: 'j1',
      thingName: 'sp1',
      executionNumber: 2,
      status: 'QUEUED',
      statusDetails: {},
      queuedAt: T0 + 100,
      lastUpdatedAt: T0 + 100,
      versionNumber: 1,
      retryAttempt: 1,
    });
  });

  it('leaves the failed execution as it was: it stays terminal', () => {
    const failed = end(first(), 'FAILED');
    const copy = structuredClone(failed);
    nextRetry(failed, config(['FAILED', 2]), T0 + 100);
    expect(failed).toEqual(copy);
  });

  it.each(['REJECTED', 'CANCELED', 'REMOVED', 'SUCCEEDED'] as const)('never follows %s, even with {ALL, 10}', (outcome) => {
    const ended = end(first(), outcome);
    expect(nextRetry(ended, config(['ALL', 10]), T0 + 100)).toBeUndefined();
    expect(willRetry(ended, config(['ALL', 10]))).toBe(false);
  });

  it('never follows a pending execution', () => {
    const running = value(applyDeviceUpdate(first(), { status: 'IN_PROGRESS' }, T0 + 1));
    expect(nextRetry(first(), config(['ALL', 10]), T0 + 2)).toBeUndefined();
    expect(nextRetry(running, config(['ALL', 10]), T0 + 2)).toBeUndefined();
  });

  it('{TIMED_OUT, 1}: one retry after a timeout, none after a device FAILED', () => {
    expect(chain(config(['TIMED_OUT', 1]), 'TIMED_OUT').map((r) => r.executionNumber)).toEqual([1, 2]);
    expect(chain(config(['TIMED_OUT', 1]), 'FAILED').map((r) => r.executionNumber)).toEqual([1]);
  });

  it('{ALL, 3}: three retries of a timeout, and of a failure', () => {
    expect(chain(config(['ALL', 3]), 'TIMED_OUT').map((r) => r.retryAttempt)).toEqual([0, 1, 2, 3]);
    expect(chain(config(['ALL', 3]), 'FAILED').map((r) => r.retryAttempt)).toEqual([0, 1, 2, 3]);
  });

  it('{FAILED, 2} does not retry a timeout', () => {
    expect(chain(config(['FAILED', 2]), 'TIMED_OUT')).toHaveLength(1);
  });

  it('mixed {FAILED, 2} + {TIMED_OUT, 1}: retryAttempt counts all retries against the failing type', () => {
    const cfg = config(['FAILED', 2], ['TIMED_OUT', 1]);
    const r2 = nextRetry(end(first(), 'FAILED'), cfg, T0 + 100);
    expect(r2).toMatchObject({ executionNumber: 2, retryAttempt: 1 });
    if (!r2) throw new Error('expected a retry');
    // One retry already made: TIMED_OUT's budget of 1 is spent, FAILED's budget of 2 is not.
    expect(nextRetry(end(r2, 'TIMED_OUT'), cfg, T0 + 200)).toBeUndefined();
    expect(nextRetry(end(r2, 'FAILED'), cfg, T0 + 200)).toMatchObject({ executionNumber: 3, retryAttempt: 2 });
    // A first-attempt timeout has its one retry.
    expect(nextRetry(end(first(), 'TIMED_OUT'), cfg, T0 + 100)).toMatchObject({ executionNumber: 2, retryAttempt: 1 });
  });

  it('mixed {FAILED, 1} + {ALL, 3}: FAILED is held to 1, TIMED_OUT gets ALL’s 3', () => {
    const cfg = config(['FAILED', 1], ['ALL', 3]);
    expect(chain(cfg, 'FAILED')).toHaveLength(2);
    expect(chain(cfg, 'TIMED_OUT')).toHaveLength(4);
  });

  it('numberOfRetries 0 allows none', () => {
    expect(chain(config(['ALL', 0]), 'FAILED')).toHaveLength(1);
  });

  it('a canceled job schedules no retries (§4.4)', () => {
    const failed = end(first(), 'FAILED');
    const timedOut = end(first(), 'TIMED_OUT');
    expect(nextRetry(failed, config(['ALL', 5]), T0 + 100, { jobCanceled: true })).toBeUndefined();
    expect(nextRetry(timedOut, config(['ALL', 5]), T0 + 100, { jobCanceled: true })).toBeUndefined();
    expect(nextRetry(failed, config(['ALL', 5]), T0 + 100, { jobCanceled: false })).toMatchObject({ executionNumber: 2 });
  });

  it('continues from the execution it is given: retryAttempt and executionNumber both +1', () => {
    const fifth = newExecution({ jobId: 'j1', thingName: 'sp1', executionNumber: 5, retryAttempt: 3, nowSec: T0 });
    expect(nextRetry(end(fifth, 'FAILED'), config(['FAILED', 4]), T0 + 100)).toMatchObject({ executionNumber: 6, retryAttempt: 4 });
    expect(nextRetry(end(fifth, 'FAILED'), config(['FAILED', 3]), T0 + 100)).toBeUndefined();
  });
});

describe('isFinalFailure (what abort criteria count, §4.2)', () => {
  it('is false for a failure that will be retried, true for the last attempt', () => {
    const runs = chain(config(['FAILED', 2]), 'FAILED');
    expect(runs.map((r) => isFinalFailure(r, config(['FAILED', 2])))).toEqual([false, false, true]);
  });

  it('is true for REJECTED whatever the config', () => {
    expect(isFinalFailure(end(first(), 'REJECTED'), config(['ALL', 10]))).toBe(true);
  });

  it('is true for a failure without retry config, or once the job is canceled', () => {
    expect(isFinalFailure(end(first(), 'FAILED'), undefined)).toBe(true);
    expect(isFinalFailure(end(first(), 'TIMED_OUT'), config(['FAILED', 2]))).toBe(true);
    expect(isFinalFailure(end(first(), 'FAILED'), config(['FAILED', 2]), { jobCanceled: true })).toBe(true);
  });

  it.each(['SUCCEEDED', 'CANCELED', 'REMOVED'] as const)('is false for %s: not a failure', (outcome) => {
    const ended = end(first(), outcome);
    expect(isFailure(ended.status)).toBe(false);
    expect(isFinalFailure(ended, undefined)).toBe(false);
  });

  it('is false for pending executions', () => {
    expect(isFinalFailure(first(), undefined)).toBe(false);
  });
});

describe('properties', () => {
  const criterionArb = fc.record({
    failureType: fc.constantFrom(...RETRY_FAILURE_TYPES),
    numberOfRetries: fc.integer({ min: 0, max: RETRIES_MAX }),
  });
  const configArb = fc.option(
    fc.array(criterionArb, { minLength: 1, maxLength: 2 }).map((criteriaList): JobExecutionsRetryConfig => ({ criteriaList })),
    { nil: undefined },
  );
  const failureArb = fc.constantFrom<RetryableFailure>('FAILED', 'TIMED_OUT');

  it('a chain of one failure type makes exactly its budget of retries, numbered 1, 2, 3, …', () => {
    fc.assert(
      fc.property(configArb, failureArb, (cfg, failure) => {
        const runs = chain(cfg, failure);
        expect(runs).toHaveLength(retryBudget(cfg, failure) + 1);
        runs.forEach((r, i) => expect(r).toMatchObject({ executionNumber: i + 1, retryAttempt: i }));
        expect(runs.map((r) => isFinalFailure(r, cfg))).toEqual(runs.map((_, i) => i === runs.length - 1));
      }),
    );
  });

  it('any sequence of outcomes: each retry is within the budget of the failure it follows, numbers step by 1', () => {
    const outcomeArb = fc.constantFrom<Outcome>('SUCCEEDED', 'FAILED', 'REJECTED', 'TIMED_OUT', 'CANCELED', 'REMOVED');
    fc.assert(
      fc.property(configArb, fc.array(outcomeArb, { minLength: 1, maxLength: 15 }), fc.boolean(), (cfg, outcomes, canceled) => {
        let exec: JobExecution | undefined = first();
        let retries = 0;
        for (const outcome of outcomes) {
          if (!exec) break;
          const ended = end(exec, outcome);
          const retry = nextRetry(ended, cfg, ended.lastUpdatedAt + 1, { jobCanceled: canceled });
          if (retry) {
            retries++;
            expect(outcome === 'FAILED' || outcome === 'TIMED_OUT').toBe(true);
            expect(canceled).toBe(false);
            expect(retry.retryAttempt).toBeLessThanOrEqual(retryBudget(cfg, outcome as RetryableFailure));
            expect(retry.executionNumber).toBe(ended.executionNumber + 1);
            expect(retry.retryAttempt).toBe(ended.retryAttempt + 1);
            expect(retry.status).toBe('QUEUED');
          }
          expect(isFinalFailure(ended, cfg, { jobCanceled: canceled })).toBe(isFailure(ended.status) && retry === undefined);
          exec = retry;
        }
        expect(retries).toBeLessThanOrEqual(RETRIES_MAX);
      }),
    );
  });
});
