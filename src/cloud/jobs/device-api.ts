/**
 * The device side of Jobs (spec §1.3), transport-free: what GetPending, StartNext, Describe and
 * Update do to a thing's executions. MQTT (`mqtt-endpoint.ts`) and HTTPS (`api/aws/iot-jobs-data.ts`)
 * wrap the results in their own envelopes.
 */
import { err, ok, type Result } from '../../core/result.js';
import { applyDeviceUpdate, type JobExecution, type JobsError } from './executions.js';
import type { ExecutionLedger } from './execution-ledger.js';
import { pendingList } from './notifications.js';
import { NEXT_JOB_ID, type DescribeRequest, type StartNextRequest, type UpdateRequest } from './requests.js';

export interface PendingExecutions {
  inProgress: JobExecution[];
  queued: JobExecution[];
}

const notFound = (jobId: string, thing: string, executionNumber?: number): JobsError => ({
  code: 'ResourceNotFound',
  message:
    executionNumber === undefined
      ? `Job execution of job ${jobId} on thing ${thing} not found`
      : `Job execution number ${executionNumber} of job ${jobId} on thing ${thing} not found`,
});

export class JobsDeviceApi {
  constructor(private readonly ledger: ExecutionLedger) {}

  /** The job document as the HTTPS API returns it: a string, presigned URLs signed (§6, §7). */
  documentText(jobId: string): string {
    return this.ledger.documentText(jobId);
  }

  secondsBeforeTimedOut(e: JobExecution): number | undefined {
    return this.ledger.secondsBeforeTimedOut(e);
  }

  /** QUEUED and IN_PROGRESS executions, each by queuedAt (§1.3). */
  pending(thing: string): JobExecution[] {
    return pendingList(this.ledger.store.executionsOf(thing));
  }

  /**
   * StartNextPendingJobExecution: the head of the pending list; a QUEUED head becomes IN_PROGRESS,
   * an IN_PROGRESS one is returned unchanged (§1.3, §10 #6–7). Undefined when nothing is pending.
   */
  startNext(thing: string, req: Omit<StartNextRequest, 'clientToken'>): Result<JobExecution | undefined, JobsError> {
    const head = this.pending(thing)[0];
    if (!head || head.status === 'IN_PROGRESS') return ok(head);
    const next = applyDeviceUpdate(
      head,
      {
        status: 'IN_PROGRESS',
        ...(req.statusDetails !== undefined ? { statusDetails: req.statusDetails } : {}),
        ...(req.stepTimeoutInMinutes !== undefined ? { stepTimeoutInMinutes: req.stepTimeoutInMinutes } : {}),
      },
      this.ledger.nowSec(),
    );
    if (!next.ok) return next;
    this.ledger.replace(head, next.value);
    return ok(next.value);
  }

  /** DescribeJobExecution; `$next` reads what start-next would pick, changing nothing (§10 #9). */
  describe(thing: string, jobId: string, req: Pick<DescribeRequest, 'executionNumber'>): Result<JobExecution | undefined, JobsError> {
    if (jobId === NEXT_JOB_ID) return ok(this.pending(thing)[0]);
    const exec = this.ledger.store.find(jobId, thing, req.executionNumber);
    return exec ? ok(exec) : err(notFound(jobId, thing, req.executionNumber));
  }

  /** UpdateJobExecution: the state machine's verdict, stored and announced when accepted. */
  update(thing: string, jobId: string, req: Omit<UpdateRequest, 'clientToken' | 'includeJobDocument' | 'includeJobExecutionState'>): Result<JobExecution, JobsError> {
    const exec = this.ledger.store.find(jobId, thing, req.executionNumber);
    if (!exec) return err(notFound(jobId, thing, req.executionNumber));
    const next = applyDeviceUpdate(exec, req, this.ledger.nowSec());
    if (!next.ok) return next;
    this.ledger.replace(exec, next.value);
    return ok(next.value);
  }
}
