/** The AWS IoT control-plane answers the job page reads (DescribeJob, GetJobDocument, ListJobExecutionsForJob), as AWS spells them. */
import type { ExecutionStatusName } from '../../api/dashboard-types.js';
import type { JobStatusName, RolloutConfigView } from '../../api/dashboard-jobs-types.js';

export interface JobProcessDetails {
  processingTargets?: string[];
  numberOfCanceledThings: number;
  numberOfSucceededThings: number;
  numberOfFailedThings: number;
  numberOfRejectedThings: number;
  numberOfQueuedThings: number;
  numberOfInProgressThings: number;
  numberOfRemovedThings: number;
  numberOfTimedOutThings: number;
}

export interface DescribedJob {
  jobArn: string;
  jobId: string;
  targetSelection: 'SNAPSHOT' | 'CONTINUOUS';
  status: JobStatusName;
  forceCanceled: boolean;
  reasonCode?: string;
  comment?: string;
  targets: string[];
  description?: string;
  presignedUrlConfig?: { roleArn?: string; expiresInSec?: number };
  jobExecutionsRolloutConfig?: RolloutConfigView;
  abortConfig?: { criteriaList: { failureType: string; action: string; thresholdPercentage: number; minNumberOfExecutedThings: number }[] };
  timeoutConfig?: { inProgressTimeoutInMinutes?: number };
  jobExecutionsRetryConfig?: { criteriaList: { failureType: string; numberOfRetries: number }[] };
  schedulingConfig?: {
    startTime?: string;
    endTime?: string;
    endBehavior?: string;
    maintenanceWindows?: { startTime: string; durationInMinutes: number }[];
  };
  scheduledJobRollouts?: { startTime: string }[];
  /** Epoch seconds. */
  createdAt: number;
  lastUpdatedAt: number;
  completedAt?: number;
  jobProcessDetails: JobProcessDetails;
  jobTemplateArn?: string;
  documentParameters?: Record<string, string>;
  isConcurrent?: boolean;
}

export interface DescribeJobResponse {
  documentSource?: string;
  job: DescribedJob;
}

export interface JobDocumentResponse {
  document: string;
}

export interface JobExecutionsPage {
  executionSummaries: {
    thingArn: string;
    jobExecutionSummary: {
      status: ExecutionStatusName;
      queuedAt?: number;
      startedAt?: number;
      lastUpdatedAt?: number;
      executionNumber: number;
      retryAttempt?: number;
    };
  }[];
  nextToken?: string;
}

/** The thing's name from its ARN (`arn:aws:iot:…:thing/Name`). */
export const thingOfArn = (arn: string): string => arn.slice(arn.indexOf(':thing/') + ':thing/'.length);

/** A job target's kind and name from its ARN; undefined for anything else. */
export function targetOfArn(arn: string): { kind: 'thing' | 'group'; name: string } | undefined {
  const m = /:(thing|thinggroup)\/(.+)$/.exec(arn);
  if (!m || m[2] === undefined) return undefined;
  return { kind: m[1] === 'thing' ? 'thing' : 'group', name: m[2] };
}
