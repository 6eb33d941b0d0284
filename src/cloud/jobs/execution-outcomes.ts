/**
 * What follows when an execution turns terminal (spec §4.2, §4.4): a FAILED or TIMED_OUT one is
 * retried while its budget lasts (the ledger queues the retry in the same change, through
 * `retryOf`), then the job's abort criteria are tested on the final outcomes, and a success may
 * raise an exponential rollout rate.
 */
import type { JobExecution } from './executions.js';
import { isTerminal } from './executions.js';
import type { ExecutionLedger, ExecutionObserver } from './execution-ledger.js';
import { abortCriterionMet, abortReason, type AbortTally } from './abort.js';
import { cancelJob } from './job-cancellation.js';
import type { StatusCounts } from './job.js';
import type { PendingTargets } from './pending-targets.js';
import { nextRetry } from './retries.js';

export class ExecutionOutcomes implements ExecutionObserver {
  constructor(
    private readonly ledger: ExecutionLedger,
    private readonly pending: PendingTargets,
    /** Asks the rollout engine to look at the job again (an exponential rate may rise). */
    private readonly poke: (jobId: string) => void,
  ) {}

  /** The retry that follows `failed`, if any: only while its job runs, only of the thing's latest execution. */
  retryOf(failed: JobExecution): JobExecution | undefined {
    const job = this.ledger.store.job(failed.jobId);
    // A canceled job retries nothing (§4.4). An older execution turning terminal (a forced
    // delete race) must not fork a second line of retries.
    if (job?.status !== 'IN_PROGRESS' || this.ledger.store.find(failed.jobId, failed.thingName) !== failed) return undefined;
    return nextRetry(failed, job.jobExecutionsRetryConfig, this.ledger.nowSec());
  }

  executionChanged(previous: JobExecution | undefined, next: JobExecution | undefined): void {
    if (!next || !isTerminal(next.status) || (previous && isTerminal(previous.status))) return;
    const job = this.ledger.store.job(next.jobId);
    if (job?.status !== 'IN_PROGRESS') return;
    // Counted over each thing's latest execution, so a retried failure is not counted (its retry
    // is the latest now): only final outcomes count (§4.2, the emulator's reading).
    const tally = tallyOf(this.ledger.store.counts(job.jobId));
    const criterion = abortCriterionMet(job.abortConfig, tally);
    if (criterion) {
      cancelJob(this.ledger, this.pending, job, { force: false, ...abortReason(criterion, tally) });
      return;
    }
    if (next.status === 'SUCCEEDED' && job.jobExecutionsRolloutConfig?.exponentialRate?.rateIncreaseCriteria.numberOfSucceededThings !== undefined) {
      this.poke(job.jobId);
    }
  }
}

/** Executed = terminal executions (§4.2, developer guide's denominator). */
export function tallyOf(c: StatusCounts): AbortTally {
  return {
    executed: c.SUCCEEDED + c.FAILED + c.REJECTED + c.TIMED_OUT + c.CANCELED + c.REMOVED,
    failed: c.FAILED,
    rejected: c.REJECTED,
    timedOut: c.TIMED_OUT,
  };
}
