/**
 * The Jobs pages' data beyond the AWS API: `GET /_acfleet/jobs` (every job with its live counters
 * and the targets still to release, cheap: the store keeps counts live) and
 * `GET /_acfleet/jobs/:jobId/progress` (per-minute progress against the configured rate, and the
 * abort criteria's standing, derived from stored executions by job-progress.ts).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { CloudRuntime } from '../cloud/runtime.js';
import type { JobExecution } from '../cloud/jobs/executions.js';
import { jobProgress } from '../cloud/jobs/job-progress.js';
import type { Job } from '../cloud/jobs/job.js';
import type { JobsService } from '../cloud/jobs/service.js';
import { sendAwsError } from './aws/errors.js';
import type { JobListItem, JobProgressResponse, JobsListResponse } from './dashboard-jobs-types.js';

const jobParams = z.object({ jobId: z.string().min(1).max(64) });

export function registerDashboardJobs(app: FastifyInstance, cloud: CloudRuntime): void {
  const jobs = cloud.jobs;

  app.get('/_acfleet/jobs', async (_req, reply) => {
    const items = [...jobs.store.allJobs()].reverse().map((job) => listItem(jobs, job));
    const body: JobsListResponse = { jobs: items };
    return reply.header('cache-control', 'no-store').send(body);
  });

  app.get('/_acfleet/jobs/:jobId/progress', async (req, reply) => {
    const params = jobParams.safeParse(req.params);
    if (!params.success) return sendAwsError(reply, 400, 'InvalidRequestException', 'jobId must be 1 to 64 characters');
    const jobId = params.data.jobId;
    const job = jobs.store.job(jobId);
    if (!job) return sendAwsError(reply, 404, 'ResourceNotFoundException', `Job ${jobId} cannot be found.`);
    const body: JobProgressResponse = { ...jobProgress(job, everyExecution(jobs, jobId), cloud.clock.now()), toRelease: jobs.rollout.pendingCount(jobId) };
    return reply.header('cache-control', 'no-store').send(body);
  });
}

function listItem(jobs: JobsService, job: Job): JobListItem {
  return {
    jobId: job.jobId,
    status: job.status,
    targetSelection: job.targetSelection,
    targets: [...job.targets],
    ...(job.description !== undefined ? { description: job.description } : {}),
    createdAt: job.createdAt,
    ...(job.completedAt !== undefined ? { completedAt: job.completedAt } : {}),
    // A copy: the store's counters are live and must not be handed out.
    counts: { ...jobs.store.counts(job.jobId) },
    toRelease: jobs.rollout.pendingCount(job.jobId),
    ...(job.reasonCode !== undefined ? { reasonCode: job.reasonCode } : {}),
    ...(job.comment !== undefined ? { comment: job.comment } : {}),
    forceCanceled: job.forceCanceled,
  };
}

/** Every execution of the job, retries included, thing by thing. */
function* everyExecution(jobs: JobsService, jobId: string): Generator<JobExecution> {
  for (const latest of jobs.store.latestOfJob(jobId)) yield* jobs.store.executionsOfJobOnThing(jobId, latest.thingName);
}
