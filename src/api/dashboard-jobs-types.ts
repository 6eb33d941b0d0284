/**
 * What the cloud sends the dashboard's Jobs pages (`GET /_acfleet/jobs`,
 * `GET /_acfleet/jobs/:jobId/progress`). Types only, so the browser bundle imports nothing from
 * Node. Times are epoch milliseconds on the simulated clock.
 */
import type { ExecutionStatusName } from './dashboard-types.js';

export type JobStatusName = 'IN_PROGRESS' | 'CANCELED' | 'COMPLETED' | 'DELETION_IN_PROGRESS' | 'SCHEDULED';

/** Per execution status, over each thing's latest execution (DescribeJob's jobProcessDetails). */
export type StatusCountsView = Record<ExecutionStatusName, number>;

/** One row of `GET /_acfleet/jobs`. */
export interface JobListItem {
  jobId: string;
  status: JobStatusName;
  targetSelection: 'SNAPSHOT' | 'CONTINUOUS';
  /** Thing and thing-group ARNs, as created. */
  targets: string[];
  description?: string;
  createdAt: number;
  completedAt?: number;
  counts: StatusCountsView;
  /** Targets the rollout has not released yet: they have no execution at all. */
  toRelease: number;
  /** Set when the job was canceled (by CancelJob, its abort config or its end time). */
  reasonCode?: string;
  comment?: string;
  forceCanceled: boolean;
}

/** `GET /_acfleet/jobs`: newest job first. */
export interface JobsListResponse {
  jobs: JobListItem[];
}

/** The rollout config as AWS spells it (§4.1). */
export interface RolloutConfigView {
  maximumPerMinute?: number;
  exponentialRate?: {
    baseRatePerMinute: number;
    incrementFactor: number;
    rateIncreaseCriteria: { numberOfNotifiedThings?: number; numberOfSucceededThings?: number };
  };
}

export type AbortFailureType = 'FAILED' | 'REJECTED' | 'TIMED_OUT' | 'ALL';

/** One abort criterion and where the job stands against it now. */
export interface AbortStanding {
  failureType: AbortFailureType;
  action: string;
  thresholdPercentage: number;
  minNumberOfExecutedThings: number;
  /** Final outcomes so far (terminal latest executions: a failure still to be retried is not one). */
  executed: number;
  /** Of those, failures of this criterion's type. */
  failures: number;
  /** failures / executed × 100; 0 before anything executed. */
  percentage: number;
  /** Whether this criterion cancels the job (or has canceled it). */
  met: boolean;
}

/**
 * Counts per bucket of simulated time, column by column (bucket i covers
 * [firstBucketAt + i × bucketMinutes min, + bucketMinutes min)). Every execution counts, retries
 * included.
 */
export interface ProgressSeries {
  /** Bucket start, epoch ms. */
  at: number[];
  /** Executions queued in the bucket that were the rollout's releases (first attempts). */
  released: number[];
  /** Executions queued in the bucket that were retries of a failed or timed-out one. */
  retried: number[];
  /** Executions that went IN_PROGRESS in the bucket. */
  started: number[];
  succeeded: number[];
  failed: number[];
  timedOut: number[];
  rejected: number[];
  canceled: number[];
  removed: number[];
  /** Executions IN_PROGRESS at the end of the bucket (or now, for the current one). */
  inProgress: number[];
  /** Executions QUEUED at the end of the bucket. */
  queued: number[];
  /** Configured releases per minute in force at the end of the bucket; null = unlimited. */
  rate: (number | null)[];
}

/** What job-progress.ts derives from a job and its executions. */
export interface JobProgress {
  jobId: string;
  status: JobStatusName;
  /** The rollout's origin: the scheduled start, or the job's creation. */
  startedAt: number;
  /** The simulated time the answer was computed at. */
  now: number;
  /** Minutes per bucket: 1 unless the job has run longer than the buckets cap allows. */
  bucketMinutes: number;
  series: ProgressSeries;
  /** Executions of every attempt, by current status. */
  executions: StatusCountsView & { total: number };
  rollout: {
    kind: 'unlimited' | 'constant' | 'exponential';
    config: RolloutConfigView | null;
    /** Releases per minute now; null = unlimited. */
    currentRate: number | null;
    /** Targets released so far, and executions succeeded (what an exponential rate follows). */
    notified: number;
    succeeded: number;
  };
  abort: AbortStanding[];
  timeoutConfig: { inProgressTimeoutInMinutes?: number } | null;
  retryConfig: { criteriaList: { failureType: 'FAILED' | 'TIMED_OUT' | 'ALL'; numberOfRetries: number }[] } | null;
}

/** `GET /_acfleet/jobs/:jobId/progress`. */
export interface JobProgressResponse extends JobProgress {
  /** Targets the rollout has not released yet (as in the jobs list). */
  toRelease: number;
}
