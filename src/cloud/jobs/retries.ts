/**
 * Job execution retries (spec §2, §4.4, §10 #50): whether a failed execution is retried, the new
 * execution that retries it, and whether a failure is final (what abort criteria count, §4.2).
 * Pure: time arrives as `nowSec` (integer epoch seconds).
 *
 * A retry is a new QUEUED execution of the same (job, thing): executionNumber +1, versionNumber 1,
 * retryAttempt +1. The failed execution stays terminal and describable. Only FAILED and TIMED_OUT
 * are retried; REJECTED (the device's "do not retry"), CANCELED, REMOVED and SUCCEEDED never are.
 */
import { newExecution, type JobExecution, type JobExecutionStatus } from './executions.js';
import type { JobExecutionsRetryConfig } from './job-configs.js';

export type RetryCriterion = JobExecutionsRetryConfig['criteriaList'][number];

/** The terminal statuses a retry criterion can name (§4.4). */
export type RetryableFailure = 'FAILED' | 'TIMED_OUT';

/** The statuses abort criteria count as failures (§4.2: ALL = FAILED + REJECTED + TIMED_OUT). */
export const FAILURE_STATUSES = ['FAILED', 'REJECTED', 'TIMED_OUT'] as const;
export type FailureStatus = (typeof FAILURE_STATUSES)[number];

export const isFailure = (s: JobExecutionStatus): s is FailureStatus => (FAILURE_STATUSES as readonly string[]).includes(s);

export interface RetryOptions {
  /**
   * The job was canceled (CancelJob, abort, endBehavior): it schedules no retries (§4.4), and
   * pending ones are canceled by whoever cancels the job.
   */
  jobCanceled?: boolean;
}

/**
 * Retries allowed after a failure of this type: the criterion naming that type, else the `ALL`
 * criterion, else 0.
 *
 * A specific criterion wins over `ALL` (emulator; AWS is silent on the combination). AWS states a
 * count "allowed for a failure type" (RetryCriteria.numberOfRetries) and says retries continue
 * until "the maximum number of retry attempts for this failure type" (developer guide, retry
 * configuration), so a criterion naming the type is that type's own budget and `ALL` only fills in
 * for a type without one — `{FAILED, 1}` + `{ALL, 3}` gives FAILED 1, TIMED_OUT 3. The schema does
 * not forbid two criteria of the same type; the first one listed applies.
 */
export function retryBudget(config: JobExecutionsRetryConfig | undefined, failure: RetryableFailure): number {
  if (!config) return 0;
  const criterion =
    config.criteriaList.find((c) => c.failureType === failure) ?? config.criteriaList.find((c) => c.failureType === 'ALL');
  return criterion?.numberOfRetries ?? 0;
}

/**
 * Whether a retry follows this execution: it ended FAILED or TIMED_OUT, its job is not canceled,
 * and fewer retries were made than the failure type allows.
 *
 * `retryAttempt` counts every retry of this (job, thing) so far, whatever failure caused it, and is
 * compared with the budget of the type that just failed (emulator: AWS exposes only this one
 * counter; per-type counting is unverified). So with `{FAILED, 2}` + `{TIMED_OUT, 1}`, a timeout
 * after one FAILED retry is final. The total stays within the ≤10 per device of §4.4, since no
 * single budget exceeds 10.
 */
export function willRetry(exec: JobExecution, config: JobExecutionsRetryConfig | undefined, opts: RetryOptions = {}): boolean {
  if (opts.jobCanceled === true) return false;
  if (exec.status !== 'FAILED' && exec.status !== 'TIMED_OUT') return false;
  return exec.retryAttempt < retryBudget(config, exec.status);
}

/**
 * The QUEUED execution that retries `exec` (§10 #50), or undefined when none follows (see
 * `willRetry`). `exec` must be the latest execution of its (job, thing), so that
 * executionNumber + 1 is free; the caller adds the result through the ledger, which announces it
 * like any new execution (§1.5). A retry is queued at once; AWS documents no delay.
 */
export function nextRetry(
  exec: JobExecution,
  config: JobExecutionsRetryConfig | undefined,
  nowSec: number,
  opts: RetryOptions = {},
): JobExecution | undefined {
  if (!willRetry(exec, config, opts)) return undefined;
  return newExecution({
    jobId: exec.jobId,
    thingName: exec.thingName,
    executionNumber: exec.executionNumber + 1,
    retryAttempt: exec.retryAttempt + 1,
    nowSec,
  });
}

/**
 * True when the execution failed (FAILED, REJECTED, TIMED_OUT) and no retry will follow: the
 * failures abort criteria count (§4.2, "Emulator counts only final failures"). A failure that is
 * retried counts through its last attempt instead.
 */
export function isFinalFailure(exec: JobExecution, config: JobExecutionsRetryConfig | undefined, opts: RetryOptions = {}): boolean {
  return isFailure(exec.status) && !willRetry(exec, config, opts);
}
