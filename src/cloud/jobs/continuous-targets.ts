/**
 * CONTINUOUS jobs follow their target groups (spec §4.6, §10 #34): a thing that joins gets a
 * QUEUED execution at once, whatever the rollout rate; a thing that leaves every target has its
 * QUEUED execution REMOVED. A deleted thing loses every pending execution (§2).
 */
import { parseRegistryArn } from '../registry/arns.js';
import type { MembershipChange } from '../registry/model.js';
import type { TargetResolver } from '../registry/target-resolver.js';
import { applyServiceTransition, newExecution, type JobExecution } from './executions.js';
import type { ExecutionLedger } from './execution-ledger.js';
import type { Job } from './job.js';

export class ContinuousTargets {
  constructor(
    private readonly ledger: ExecutionLedger,
    private readonly targets: TargetResolver,
    private readonly activeJobs: () => Iterable<Job>,
  ) {}

  onChange(change: MembershipChange): void {
    if (change.change === 'thingDeleted') return this.thingDeleted(change.thing);
    // Looked up only once a job needs it: a fleet's first start adds every thing to its group
    // while no CONTINUOUS job exists yet.
    let groups: ReadonlySet<string> | undefined;
    for (const job of this.activeJobs()) {
      groups ??= this.targets.groupsReaching(change.thing);
      const targeted = jobReaches(job, change.thing, groups);
      const latest = this.ledger.store.find(job.jobId, change.thing);
      if (change.change === 'added' && targeted) this.join(job, change.thing, latest);
      else if (change.change === 'removed' && !targeted && latest?.status === 'QUEUED') this.remove(latest);
    }
  }

  /** A thing gets the job once; after it was REMOVED (it left and came back), again. */
  private join(job: Job, thing: string, latest: JobExecution | undefined): void {
    if (latest && latest.status !== 'REMOVED') return;
    this.ledger.add(newExecution({ jobId: job.jobId, thingName: thing, executionNumber: (latest?.executionNumber ?? 0) + 1, retryAttempt: 0, nowSec: this.ledger.nowSec() }));
  }

  private remove(exec: JobExecution): void {
    const next = applyServiceTransition(exec, 'REMOVED', this.ledger.nowSec());
    if (next.ok) this.ledger.replace(exec, next.value);
  }

  private thingDeleted(thing: string): void {
    for (const e of this.ledger.store.executionsOf(thing)) {
      if (e.status === 'QUEUED' || e.status === 'IN_PROGRESS') this.remove(e);
    }
  }
}

/** Whether one of the job's targets names the thing, or a group it belongs to (`groups`: every group reaching it). */
export function jobReaches(job: Job, thing: string, groups: ReadonlySet<string>): boolean {
  return job.targets.some((t) => {
    const arn = parseRegistryArn(t);
    return arn !== undefined && (arn.kind === 'thing' ? arn.name === thing : groups.has(arn.name));
  });
}
