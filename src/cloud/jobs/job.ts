/**
 * A job as the control plane stores it, and the response shapes built from it (spec §3.4).
 * Job timestamps are epoch milliseconds inside; the API turns them into epoch seconds with
 * fractions, events into milliseconds (§5).
 */
import { JOB_EXECUTION_STATUSES, isTerminal, type JobExecution, type JobExecutionStatus } from './executions.js';
import type { CreateJobInput, JobConfigs } from './job-request.js';
import type { RolloutSegment } from './rollout.js';
import { executionSummary } from './notifications.js';

export const JOB_STATUSES = ['IN_PROGRESS', 'CANCELED', 'COMPLETED', 'DELETION_IN_PROGRESS', 'SCHEDULED'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export interface Job extends Omit<CreateJobInput, 'document'> {
  jobId: string;
  jobArn: string;
  /** The document as created (from `document`, `documentSource` or a template), placeholders raw. */
  document: string;
  status: JobStatus;
  forceCanceled: boolean;
  reasonCode?: string;
  comment?: string;
  /** Epoch ms. */
  createdAt: number;
  lastUpdatedAt: number;
  completedAt?: number;
  /** A SCHEDULED job's rollout start (epoch ms), from schedulingConfig.startTime; internal. */
  startsAt?: number;
  /** Where the rollout stands; internal, absent until the job starts rolling out. */
  rollout?: JobRollout;
}

/**
 * A job's rollout bookkeeping, stored with it so a restart resumes the same plan (spec §4.1).
 * Released so far = `total` − targets still pending (pending-targets.ts).
 */
export interface JobRollout {
  /** Targets handed to the rollout, released or still pending; skipped ones are taken off. */
  total: number;
  /** The rate segment in force; absent before the first release and for unlimited rollouts. */
  segment?: RolloutSegment;
  /** endTime passed with STOP_ROLLOUT: the job gives out no further executions (§4.5). */
  stopped?: boolean;
}

/** `jobProcessDetails` counters, over the latest execution of each thing (§2, §3.4). */
export type StatusCounts = Record<JobExecutionStatus, number>;

export const emptyCounts = (): StatusCounts => Object.fromEntries(JOB_EXECUTION_STATUSES.map((s) => [s, 0])) as StatusCounts;

const COUNTER_NAMES: Record<JobExecutionStatus, string> = {
  QUEUED: 'numberOfQueuedThings',
  IN_PROGRESS: 'numberOfInProgressThings',
  SUCCEEDED: 'numberOfSucceededThings',
  FAILED: 'numberOfFailedThings',
  REJECTED: 'numberOfRejectedThings',
  TIMED_OUT: 'numberOfTimedOutThings',
  REMOVED: 'numberOfRemovedThings',
  CANCELED: 'numberOfCanceledThings',
};

export function processDetails(counts: StatusCounts, processingTargets?: readonly string[]): Record<string, number | string[]> {
  const out: Record<string, number | string[]> = {};
  if (processingTargets && processingTargets.length > 0) out.processingTargets = [...processingTargets];
  for (const s of JOB_EXECUTION_STATUSES) out[COUNTER_NAMES[s]] = counts[s];
  return out;
}

/** Control-plane timestamps are epoch seconds as JSON numbers, fractions allowed (§3.1). */
export const apiTime = (ms: number): number => ms / 1000;

const CONFIG_KEYS = [
  'presignedUrlConfig',
  'jobExecutionsRolloutConfig',
  'abortConfig',
  'timeoutConfig',
  'jobExecutionsRetryConfig',
  'schedulingConfig',
] as const satisfies readonly (keyof JobConfigs)[];

function configsOf(job: Job): Partial<JobConfigs> {
  const out: Partial<JobConfigs> = {};
  for (const k of CONFIG_KEYS) if (job[k] !== undefined) Object.assign(out, { [k]: job[k] });
  return out;
}

/** A job is "concurrent" while it is still rolling out or canceling (§3.4). */
export const isConcurrent = (job: Job, counts: StatusCounts): boolean =>
  job.status === 'IN_PROGRESS' && (job.targetSelection === 'CONTINUOUS' || counts.QUEUED + counts.IN_PROGRESS > 0);

/** What DescribeJob shows beyond the stored job: the rollout's progress and coming windows. */
export interface JobLiveDetails {
  processingTargets: readonly string[];
  scheduledJobRollouts: readonly { startTime: string }[];
}

/** DescribeJob's `job` (§3.4): the CreateJob fields minus document and tags, plus status and counters. */
export function describeJobShape(job: Job, counts: StatusCounts, live: JobLiveDetails = { processingTargets: [], scheduledJobRollouts: [] }): Record<string, unknown> {
  return {
    jobArn: job.jobArn,
    jobId: job.jobId,
    targetSelection: job.targetSelection,
    status: job.status,
    forceCanceled: job.forceCanceled,
    ...(job.reasonCode !== undefined ? { reasonCode: job.reasonCode } : {}),
    ...(job.comment !== undefined ? { comment: job.comment } : {}),
    targets: [...job.targets],
    ...(job.description !== undefined ? { description: job.description } : {}),
    ...configsOf(job),
    createdAt: apiTime(job.createdAt),
    lastUpdatedAt: apiTime(job.lastUpdatedAt),
    ...(job.completedAt !== undefined ? { completedAt: apiTime(job.completedAt) } : {}),
    jobProcessDetails: processDetails(counts, live.processingTargets),
    ...(live.scheduledJobRollouts.length > 0 ? { scheduledJobRollouts: live.scheduledJobRollouts.map((r) => ({ ...r })) } : {}),
    ...(job.namespaceId !== undefined ? { namespaceId: job.namespaceId } : {}),
    ...(job.jobTemplateArn !== undefined ? { jobTemplateArn: job.jobTemplateArn } : {}),
    ...(job.documentParameters !== undefined ? { documentParameters: { ...job.documentParameters } } : {}),
    ...(job.destinationPackageVersions !== undefined ? { destinationPackageVersions: [...job.destinationPackageVersions] } : {}),
    isConcurrent: isConcurrent(job, counts),
  };
}

/** ListJobs' `JobSummary` (§3.4). `thingGroupId` when the job targets a group. */
export function jobSummaryShape(job: Job, counts: StatusCounts, thingGroupId: string | undefined): Record<string, unknown> {
  return {
    jobArn: job.jobArn,
    jobId: job.jobId,
    ...(thingGroupId !== undefined ? { thingGroupId } : {}),
    targetSelection: job.targetSelection,
    status: job.status,
    createdAt: apiTime(job.createdAt),
    lastUpdatedAt: apiTime(job.lastUpdatedAt),
    ...(job.completedAt !== undefined ? { completedAt: apiTime(job.completedAt) } : {}),
    isConcurrent: isConcurrent(job, counts),
  };
}

/** The control plane's `JobExecution` (§3.4): note the extra `detailsMap` level. */
export function controlPlaneExecution(e: JobExecution, thingArn: string, secondsBeforeTimeout: number | undefined): Record<string, unknown> {
  return {
    jobId: e.jobId,
    status: e.status,
    forceCanceled: e.forceCanceled === true,
    statusDetails: { detailsMap: { ...e.statusDetails } },
    thingArn,
    queuedAt: e.queuedAt,
    ...(e.startedAt !== undefined ? { startedAt: e.startedAt } : {}),
    lastUpdatedAt: e.lastUpdatedAt,
    executionNumber: e.executionNumber,
    versionNumber: e.versionNumber,
    ...(secondsBeforeTimeout !== undefined && !isTerminal(e.status) ? { approximateSecondsBeforeTimedOut: secondsBeforeTimeout } : {}),
  };
}

/** `jobExecutionSummary` of the two ListJobExecutions operations (§3.4). */
export function executionSummaryShape(e: JobExecution): Record<string, unknown> {
  // The device API's summary (§1.3) less jobId and versionNumber, plus status and retryAttempt.
  const { jobId: _jobId, versionNumber: _version, ...times } = executionSummary(e);
  return { status: e.status, ...times, retryAttempt: e.retryAttempt };
}
