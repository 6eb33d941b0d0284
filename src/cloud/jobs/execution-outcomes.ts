/**
 * What follows when an execution turns terminal (spec §4.2, §4.4): a FAILED or TIMED_OUT one is
 * retried while its budget lasts, then the job's abort criteria are tested on the final outcomes,
 * and a success may raise an exponential rollout rate.
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

  executionChanged(previous: JobExecution | undefined, next: JobExecution | undefined): void {
    if (!next || !isTerminal(next.status) || (previous && isTerminal(previous.status))) return;
    const job = this.ledger.store.job(next.jobId);
    // A canceled job retries nothing and is past aborting (§4.4); a finished one likewise.
    if (job?.status !== 'IN_PROGRESS') return;
    // Only the thing's latest execution is retried: an older one turning terminal (a forced
    // delete race) must not fork a second line of retries.
    if (this.ledger.store.find(next.jobId, next.thingName) !== next) return;
    const retry = nextRetry(next, job.jobExecutionsRetryConfig, this.ledger.nowSec());
    if (retry) this.ledger.add(retry);

    // Counted over each thing's latest execution, so a retried failure is not counted (its retry
    // is the latest now): only final outcomes count (§4.2, the emulator's reading).
    const criterion = abortCriterionMet(job.abortConfig, tallyOf(this.ledger.store.counts(job.jobId)));
    if (criterion) {
      const reason = abortReason(criterion, tallyOf(this.ledger.store.counts(job.jobId)));
      cancelJob(this.ledger, this.pending, job, { force: false, ...reason });
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
