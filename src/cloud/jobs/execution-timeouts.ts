/**
 * Runs the in-progress and step timers of every IN_PROGRESS execution (spec §4.3, §10 #47–49) on
 * one clock timer. Deadlines are not stored apart: they follow from each stored execution
 * (startedAt, stepTimeoutAt) and its job's timeoutConfig, so a restart rebuilds them all.
 */
import type { Clock } from '../../core/clock.js';
import { DeadlineQueue } from './deadline-queue.js';
import type { JobExecution } from './executions.js';
import type { ExecutionLedger, ExecutionObserver } from './execution-ledger.js';
import { executionDeadline, expire } from './timeouts.js';

const SEP = '\u0000';
const keyOf = (e: Pick<JobExecution, 'jobId' | 'thingName' | 'executionNumber'>): string => `${e.jobId}${SEP}${e.thingName}${SEP}${e.executionNumber}`;

export class ExecutionTimeouts implements ExecutionObserver {
  private readonly deadlines: DeadlineQueue;

  constructor(
    private readonly ledger: ExecutionLedger,
    clock: Clock,
  ) {
    this.deadlines = new DeadlineQueue(clock, (key) => this.due(key));
    for (const job of ledger.store.allJobs()) {
      for (const latest of ledger.store.latestOfJob(job.jobId)) this.track(latest);
    }
  }

  /** Executions under a running timer. */
  get running(): number {
    return this.deadlines.size;
  }

  executionChanged(previous: JobExecution | undefined, next: JobExecution | undefined): void {
    if (next) this.track(next);
    else if (previous) this.deadlines.delete(keyOf(previous));
  }

  close(): void {
    this.deadlines.close();
  }

  private track(e: JobExecution): void {
    const deadline = executionDeadline(e, this.ledger.store.job(e.jobId)?.timeoutConfig?.inProgressTimeoutInMinutes);
    if (deadline === undefined) this.deadlines.delete(keyOf(e));
    else this.deadlines.set(keyOf(e), deadline * 1000);
  }

  private due(key: string): void {
    const [jobId = '', thing = '', n = ''] = key.split(SEP);
    const e = this.ledger.store.find(jobId, thing, Number(n));
    if (!e) return;
    const timedOut = expire(e, this.ledger.store.job(jobId)?.timeoutConfig?.inProgressTimeoutInMinutes, this.ledger.nowSec());
    if (timedOut?.ok) this.ledger.replace(e, timedOut.value);
    else this.track(e);
  }
}
