/**
 * Jobs events (spec §5): `$aws/events/job/{jobId}/{operation}` and
 * `$aws/events/jobExecution/{jobId}/{operation}`. Top-level `timestamp` in epoch seconds, the
 * job's own times in milliseconds, as AWS's examples show (§5, unverified live).
 */
import { randomUUID } from 'node:crypto';
import type { JobExecution } from './executions.js';
import { processDetails, type Job, type StatusCounts } from './job.js';

export type JobOperation = 'completed' | 'cancellation_in_progress' | 'canceled' | 'deletion_in_progress' | 'deleted';
export type ExecutionOperation = 'succeeded' | 'failed' | 'rejected' | 'canceled' | 'timed_out' | 'removed' | 'deleted';

const JOB_EVENT_STATUS: Record<JobOperation, string> = {
  completed: 'COMPLETED',
  cancellation_in_progress: 'CANCELLATION_IN_PROGRESS',
  canceled: 'CANCELED',
  deletion_in_progress: 'DELETION_IN_PROGRESS',
  deleted: 'DELETED',
};

export interface EventMessage {
  topic: string;
  body: Record<string, unknown>;
}

export function jobEvent(op: JobOperation, job: Job, counts: StatusCounts, nowMs: number): EventMessage {
  const withComment = op !== 'completed' && job.comment !== undefined;
  return {
    topic: `$aws/events/job/${job.jobId}/${op}`,
    body: {
      eventType: 'JOB',
      eventId: randomUUID(),
      timestamp: Math.floor(nowMs / 1000),
      operation: op,
      jobId: job.jobId,
      status: JOB_EVENT_STATUS[op],
      targetSelection: job.targetSelection,
      targets: [...job.targets],
      ...(job.description !== undefined ? { description: job.description } : {}),
      createdAt: job.createdAt,
      lastUpdatedAt: job.lastUpdatedAt,
      ...(op === 'completed' ? { completedAt: job.completedAt ?? nowMs, jobProcessDetails: processDetails(counts) } : {}),
      ...(withComment ? { comment: job.comment } : {}),
    },
  };
}

/** The event operation for an execution that just entered a terminal status. */
export function executionOperation(status: JobExecution['status']): ExecutionOperation | undefined {
  switch (status) {
    case 'SUCCEEDED':
      return 'succeeded';
    case 'FAILED':
      return 'failed';
    case 'REJECTED':
      return 'rejected';
    case 'CANCELED':
      return 'canceled';
    case 'TIMED_OUT':
      return 'timed_out';
    case 'REMOVED':
      return 'removed';
    default:
      return undefined;
  }
}

export function executionEvent(op: ExecutionOperation, exec: JobExecution, thingArn: string, nowMs: number): EventMessage {
  return {
    topic: `$aws/events/jobExecution/${exec.jobId}/${op}`,
    body: {
      eventType: 'JOB_EXECUTION',
      eventId: randomUUID(),
      timestamp: Math.floor(nowMs / 1000),
      operation: op,
      jobId: exec.jobId,
      thingArn,
      status: op === 'deleted' ? 'DELETED' : exec.status,
      statusDetails: { ...exec.statusDetails },
    },
  };
}
