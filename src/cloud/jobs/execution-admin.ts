/**
 * Execution-level control-plane operations (spec §3.2): describe, list, cancel and delete job
 * executions. Changes go through the ledger, so devices are notified as for any other change.
 */
import { err, ok, type Result } from '../../core/result.js';
import { invalidRequest, notFound, type ControlPlaneError } from '../control-plane-error.js';
import { thingArn, type ArnScope } from '../registry/arns.js';
import { applyServiceTransition, isJobExecutionStatus, isTerminal, type JobExecution } from './executions.js';
import type { ExecutionLedger } from './execution-ledger.js';
import { controlPlaneExecution, executionSummaryShape } from './job.js';
import { jobNotFound } from './control-plane.js';
import { parseCancelJobExecution } from './job-request.js';
import { pageByOffset, type PageQuery } from './paging.js';

const executionNotFound = (jobId: string, thing: string): ControlPlaneError => notFound(`Job execution of job ${jobId} on thing ${thing} cannot be found.`);

type Page = Result<{ executionSummaries: Record<string, unknown>[]; nextToken?: string }, ControlPlaneError>;

export class JobExecutionAdmin {
  constructor(
    private readonly ledger: ExecutionLedger,
    private readonly scope: ArnScope,
  ) {}

  describeJobExecution(thing: string, jobId: string, executionNumber?: number): Result<{ execution: Record<string, unknown> }, ControlPlaneError> {
    if (!this.ledger.store.job(jobId)) return err(jobNotFound(jobId));
    const e = this.ledger.store.find(jobId, thing, executionNumber);
    if (!e) return err(executionNotFound(jobId, thing));
    return ok({ execution: controlPlaneExecution(e, thingArn(this.scope, thing), this.ledger.secondsBeforeTimedOut(e)) });
  }

  /** Every execution of the job (retries included), thing by thing. */
  listForJob(jobId: string, q: PageQuery & { status?: string }): Page {
    if (!this.ledger.store.job(jobId)) return err(jobNotFound(jobId));
    const bad = checkStatus(q.status);
    if (bad) return err(bad);
    const all: JobExecution[] = [];
    for (const latest of this.ledger.store.latestOfJob(jobId)) all.push(...this.ledger.store.executionsOfJobOnThing(jobId, latest.thingName));
    const page = pageByOffset(
      all.filter((e) => q.status === undefined || e.status === q.status),
      q,
    );
    if (!page.ok) return page;
    return ok({
      executionSummaries: page.value.items.map((e) => ({ thingArn: thingArn(this.scope, e.thingName), jobExecutionSummary: executionSummaryShape(e) })),
      ...(page.value.nextToken !== undefined ? { nextToken: page.value.nextToken } : {}),
    });
  }

  listForThing(thing: string, q: PageQuery & { status?: string; jobId?: string; namespaceId?: string }): Page {
    const bad = checkStatus(q.status);
    if (bad) return err(bad);
    const matches = this.ledger.store
      .executionsOf(thing)
      .filter(
        (e) =>
          (q.status === undefined || e.status === q.status) &&
          (q.jobId === undefined || e.jobId === q.jobId) &&
          (q.namespaceId === undefined || this.ledger.store.job(e.jobId)?.namespaceId === q.namespaceId),
      );
    const page = pageByOffset(matches, q);
    if (!page.ok) return page;
    return ok({
      executionSummaries: page.value.items.map((e) => ({ jobId: e.jobId, jobExecutionSummary: executionSummaryShape(e) })),
      ...(page.value.nextToken !== undefined ? { nextToken: page.value.nextToken } : {}),
    });
  }

  /** CancelJobExecution: QUEUED freely, IN_PROGRESS with `force`, never a terminal one (§3.2, §10 #38). */
  cancel(thing: string, jobId: string, body: unknown, force: boolean): Result<Record<string, never>, ControlPlaneError> {
    const input = parseCancelJobExecution(body);
    if (!input.ok) return err(invalidRequest(input.error.message));
    if (!this.ledger.store.job(jobId)) return err(jobNotFound(jobId));
    const e = this.ledger.store.find(jobId, thing);
    if (!e) return err(executionNotFound(jobId, thing));
    if (isTerminal(e.status)) return err({ code: 'InvalidStateTransition', message: `Job execution is already in terminal state ${e.status}` });
    if (input.value.expectedVersion !== undefined && input.value.expectedVersion !== e.versionNumber) {
      return err({ code: 'VersionConflict', message: `Expected version ${input.value.expectedVersion} but the current version is ${e.versionNumber}` });
    }
    const next = applyServiceTransition(e, 'CANCELED', this.ledger.nowSec(), {
      force,
      ...(input.value.statusDetails !== undefined ? { statusDetails: input.value.statusDetails } : {}),
    });
    if (!next.ok) return err({ code: 'InvalidStateTransition', message: next.error.message });
    this.ledger.replace(e, next.value);
    return ok({});
  }

  /** DeleteJobExecution: terminal executions, or pending ones with `force`; a wrong number is 404 (§10 #40). */
  delete(thing: string, jobId: string, executionNumber: number, force: boolean): Result<Record<string, never>, ControlPlaneError> {
    if (!this.ledger.store.job(jobId)) return err(jobNotFound(jobId));
    const e = this.ledger.store.find(jobId, thing, executionNumber);
    if (!e) return err(notFound(`Job execution number ${executionNumber} of job ${jobId} on thing ${thing} cannot be found.`));
    if (!isTerminal(e.status) && !force) return err({ code: 'InvalidStateTransition', message: `Cannot delete a job execution in status ${e.status} without force` });
    this.ledger.delete(e);
    return ok({});
  }
}

function checkStatus(status: string | undefined): ControlPlaneError | undefined {
  if (status === undefined || isJobExecutionStatus(status)) return undefined;
  return invalidRequest(`Invalid job execution status: ${status}`);
}
