/**
 * The Jobs control plane (spec §3.2–3.4): create, describe, list, update, cancel and delete jobs.
 * Execution-level operations live in `execution-admin.ts`, group-membership following in
 * `continuous-targets.ts`. Results are data; the HTTP layer turns errors into AWS's exceptions.
 */
import type { Clock } from '../../core/clock.js';
import { err, ok, type Result } from '../../core/result.js';
import { invalidRequest, notFound, type ControlPlaneError } from '../control-plane-error.js';
import { parseRegistryArn, type ArnScope } from '../registry/arns.js';
import type { Registry } from '../registry/registry.js';
import type { TargetResolver } from '../registry/target-resolver.js';
import { loadDocumentSource, type DocumentSourceOptions } from './document-source.js';
import type { ExecutionLedger } from './execution-ledger.js';
import { cancelJob } from './job-cancellation.js';
import { describeJobShape, jobSummaryShape, JOB_STATUSES, type Job, type JobStatus } from './job.js';
import type { PendingTargets } from './pending-targets.js';
import type { RolloutEngine } from './rollout-engine.js';
import { checkMaintenanceWindows, scheduledJobRollouts } from './schedule.js';
import { checkSchedule, jobDocumentViolation, parseCancelJob, parseCreateJob, parseUpdateJob, type CreateJobInput } from './job-request.js';
import type { JobTemplates, TemplateJobDefaults } from './job-templates.js';
import { pageByOffset, type PageQuery } from './paging.js';

export const jobArn = (scope: ArnScope, jobId: string): string => `arn:aws:iot:${scope.region}:${scope.account}:job/${jobId}`;

export const jobNotFound = (jobId: string): ControlPlaneError => notFound(`Job ${jobId} cannot be found.`);

export interface ListJobsQuery extends PageQuery {
  status?: string;
  targetSelection?: string;
  thingGroupName?: string;
  thingGroupId?: string;
  namespaceId?: string;
}

export interface JobsControlPlaneOptions extends DocumentSourceOptions {
  /** Custom and AWS managed job templates, for CreateJob's `jobTemplateArn`. */
  templates?: JobTemplates | undefined;
  /** Lets tests and demos schedule a job minutes ahead instead of the 30 minutes AWS requires (§4.5). */
  waiveScheduleMinimumLead?: boolean;
}

export class JobsControlPlane {
  constructor(
    private readonly ledger: ExecutionLedger,
    private readonly engine: RolloutEngine,
    private readonly pending: PendingTargets,
    private readonly registry: Registry,
    private readonly targets: TargetResolver,
    private readonly scope: ArnScope,
    private readonly clock: Clock,
    private readonly opts: JobsControlPlaneOptions = {},
  ) {}

  async createJob(jobId: string, body: unknown): Promise<Result<{ jobArn: string; jobId: string; description?: string }, ControlPlaneError>> {
    const input = parseCreateJob(jobId, body);
    if (!input.ok) return err(invalidRequest(input.error.message));
    const req = input.value;
    const arn = jobArn(this.scope, jobId);
    if (this.ledger.store.job(jobId)) return err({ code: 'ResourceAlreadyExists', message: `Job ${jobId} already exists.`, resourceId: jobId, resourceArn: arn });

    const things = resolveJobTargets(this.registry, this.targets, req.targets);
    if (!things.ok) return things;
    const now = this.clock.now();
    let startMs: number | undefined;
    if (req.schedulingConfig) {
      const s = checkSchedule(req.schedulingConfig, now, { waiveMinimumLead: this.opts.waiveScheduleMinimumLead === true });
      if (!s.ok) return err(invalidRequest(s.error.message));
      startMs = s.value.startMs;
      const windows = checkMaintenanceWindows(req.schedulingConfig.maintenanceWindows ?? []);
      if (!windows.ok) return err(invalidRequest(windows.error));
    }
    const document = await this.documentOf(req);
    if (!document.ok) return document;
    // The document load awaited: another request may have taken the id meanwhile.
    if (this.ledger.store.job(jobId)) return err({ code: 'ResourceAlreadyExists', message: `Job ${jobId} already exists.`, resourceId: jobId, resourceArn: arn });

    const { document: _inline, ...request } = req;
    const fields = withTemplateDefaults(request, document.value.defaults);
    const scheduled = startMs !== undefined && startMs > now;
    const job: Job = {
      ...fields,
      jobId,
      jobArn: arn,
      document: document.value.document,
      status: scheduled ? 'SCHEDULED' : 'IN_PROGRESS',
      forceCanceled: false,
      createdAt: now,
      lastUpdatedAt: now,
      ...(scheduled ? { startsAt: startMs } : {}),
    };
    this.ledger.store.putJob(job);
    this.engine.begin(job, scheduled ? [] : things.value);
    return ok({ jobArn: arn, jobId, ...(fields.description !== undefined ? { description: fields.description } : {}) });
  }

  describeJob(jobId: string): Result<{ documentSource?: string; job: Record<string, unknown> }, ControlPlaneError> {
    const job = this.ledger.store.job(jobId);
    if (!job) return err(jobNotFound(jobId));
    const windows = job.schedulingConfig?.maintenanceWindows ?? [];
    const live = job.status === 'IN_PROGRESS' || job.status === 'SCHEDULED';
    return ok({
      ...(job.documentSource !== undefined ? { documentSource: job.documentSource } : {}),
      job: describeJobShape(job, this.ledger.store.counts(jobId), {
        // AWS lists the targets still being rolled out to; null once all have executions (§4.1).
        processingTargets: this.engine.pendingCount(jobId) > 0 ? job.targets : [],
        scheduledJobRollouts: live && windows.length > 0 ? scheduledJobRollouts(windows, this.clock.now()) : [],
      }),
    });
  }

  getJobDocument(jobId: string): Result<{ document: string }, ControlPlaneError> {
    const job = this.ledger.store.job(jobId);
    return job ? ok({ document: job.document }) : err(jobNotFound(jobId));
  }

  listJobs(q: ListJobsQuery): Result<{ jobs: Record<string, unknown>[]; nextToken?: string }, ControlPlaneError> {
    if (q.status !== undefined && !(JOB_STATUSES as readonly string[]).includes(q.status)) return err(invalidRequest(`Invalid job status: ${q.status}`));
    if (q.targetSelection !== undefined && q.targetSelection !== 'SNAPSHOT' && q.targetSelection !== 'CONTINUOUS') return err(invalidRequest(`Invalid targetSelection: ${q.targetSelection}`));
    let groupName = q.thingGroupName;
    if (q.thingGroupId !== undefined) {
      const found = this.targets.groupNameOf(q.thingGroupId);
      if (found === undefined) return ok({ jobs: [] });
      if (groupName !== undefined && groupName !== found) return ok({ jobs: [] });
      groupName = found;
    }
    const matches = [...this.ledger.store.allJobs()].filter(
      (j) =>
        (q.status === undefined || j.status === q.status) &&
        (q.targetSelection === undefined || j.targetSelection === q.targetSelection) &&
        (q.namespaceId === undefined || j.namespaceId === q.namespaceId) &&
        (groupName === undefined || j.targets.some((t) => isGroupArn(t, groupName))),
    );
    const page = pageByOffset(matches, q);
    if (!page.ok) return page;
    return ok({
      jobs: page.value.items.map((j) => jobSummaryShape(j, this.ledger.store.counts(j.jobId), this.firstGroupId(j))),
      ...(page.value.nextToken !== undefined ? { nextToken: page.value.nextToken } : {}),
    });
  }

  updateJob(jobId: string, body: unknown): Result<Record<string, never>, ControlPlaneError> {
    const job = this.ledger.store.job(jobId);
    if (!job) return err(jobNotFound(jobId));
    const input = parseUpdateJob(body);
    if (!input.ok) return err(invalidRequest(input.error.message));
    const u = input.value;
    if (u.timeoutConfig !== undefined && job.timeoutConfig?.inProgressTimeoutInMinutes !== u.timeoutConfig.inProgressTimeoutInMinutes) {
      const started = [...this.ledger.store.latestOfJob(jobId)].some((e) => e.startedAt !== undefined);
      if (started) return err(invalidRequest('The in-progress timeout cannot change once job executions have started'));
    }
    if (u.jobExecutionsRetryConfig !== undefined) {
      const before = retriesByType(job);
      for (const c of u.jobExecutionsRetryConfig.criteriaList) {
        if (c.numberOfRetries > (before.get(c.failureType) ?? 0)) return err(invalidRequest(`numberOfRetries for ${c.failureType} can only be lowered`));
      }
    }
    if (job.status === 'DELETION_IN_PROGRESS') return err(invalidRequest(`Job ${jobId} is being deleted`));
    this.ledger.store.putJob({ ...job, ...u, lastUpdatedAt: this.clock.now() });
    // A new rate or schedule applies from now on.
    this.engine.poke(jobId);
    return ok({});
  }

  /**
   * CancelJob (§3.2): rollout stops, QUEUED executions are canceled, IN_PROGRESS ones only with
   * `force`. A canceled job may be canceled again with force, to stop what is still running.
   */
  cancelJob(jobId: string, body: unknown, force: boolean): Result<{ jobArn: string; jobId: string; description?: string }, ControlPlaneError> {
    const job = this.ledger.store.job(jobId);
    if (!job) return err(jobNotFound(jobId));
    const input = parseCancelJob(body);
    if (!input.ok) return err(invalidRequest(input.error.message));
    if (job.status === 'COMPLETED') return err(invalidRequest(`Job ${jobId} is already completed`));
    if (job.status === 'DELETION_IN_PROGRESS') return err(invalidRequest(`Job ${jobId} is being deleted`));
    if (job.status === 'CANCELED' && (!force || job.forceCanceled)) return err(invalidRequest(`Job ${jobId} is already canceled`));
    cancelJob(this.ledger, this.pending, job, { force, reasonCode: input.value.reasonCode, comment: input.value.comment });
    return ok({ jobArn: job.jobArn, jobId, ...(job.description !== undefined ? { description: job.description } : {}) });
  }

  /** DeleteJob (§3.2): finished jobs, or any with `force`; the id is free again afterwards. */
  deleteJob(jobId: string, force: boolean): Result<Record<string, never>, ControlPlaneError> {
    const job = this.ledger.store.job(jobId);
    if (!job) return err(jobNotFound(jobId));
    if (!force && (job.status === 'IN_PROGRESS' || job.status === 'SCHEDULED')) {
      return err({ code: 'InvalidStateTransition', message: `Cannot delete job ${jobId} in status ${job.status} without force` });
    }
    this.engine.forget(jobId);
    const deleting: Job = { ...job, status: 'DELETION_IN_PROGRESS', lastUpdatedAt: this.clock.now() };
    this.ledger.store.putJob(deleting);
    this.ledger.jobEvent('deletion_in_progress', deleting);
    for (const e of [...this.ledger.store.latestOfJob(jobId)]) {
      for (const x of this.ledger.store.executionsOfJobOnThing(jobId, e.thingName)) this.ledger.delete(x, false);
    }
    this.ledger.store.deleteJob(jobId);
    this.ledger.forgetJob(jobId);
    this.ledger.jobEvent('deleted', deleting);
    return ok({});
  }

  /** Jobs that may still gain executions (not finished, canceled or scheduled), for membership changes. */
  *activeContinuousJobs(): Generator<Job> {
    for (const j of this.ledger.store.allJobs()) if (j.targetSelection === 'CONTINUOUS' && j.status === 'IN_PROGRESS' && j.rollout?.stopped !== true) yield j;
  }

  /**
   * The document as stored: inline ones were checked with the request, a source's only once read,
   * a template's when the template was made. A template also lends the job its settings.
   */
  private async documentOf(req: CreateJobInput): Promise<Result<{ document: string; defaults?: TemplateJobDefaults }, ControlPlaneError>> {
    if (req.document !== undefined) return ok({ document: req.document });
    if (req.jobTemplateArn !== undefined) {
      if (!this.opts.templates) return err(notFound(`Job template ${req.jobTemplateArn} cannot be found.`));
      return this.opts.templates.documentForJob(req.jobTemplateArn, req.documentParameters);
    }
    if (req.documentSource === undefined) return err(invalidRequest('A job must specify exactly one of document, documentSource or jobTemplateArn'));
    const loaded = await loadDocumentSource(req.documentSource, this.opts);
    if (!loaded.ok) return loaded;
    const violated = jobDocumentViolation(loaded.value);
    return violated === undefined ? ok({ document: loaded.value }) : err(invalidRequest(`The job document at ${req.documentSource} is not acceptable: ${violated}`));
  }

  private firstGroupId(job: Job): string | undefined {
    for (const t of job.targets) {
      const arn = parseRegistryArn(t);
      const id = arn?.kind === 'thinggroup' ? this.targets.groupIdOf(arn.name) : undefined;
      if (id !== undefined) return id;
    }
    return undefined;
  }
}

function isGroupArn(target: string, group: string): boolean {
  const arn = parseRegistryArn(target);
  return arn?.kind === 'thinggroup' && arn.name === group;
}

function retriesByType(job: Job): Map<string, number> {
  return new Map((job.jobExecutionsRetryConfig?.criteriaList ?? []).map((c) => [c.failureType, c.numberOfRetries]));
}

export type { JobStatus };

/** Target ARNs → thing names, groups expanded (with descendants), duplicates dropped. */
export function resolveJobTargets(registry: Registry, resolver: TargetResolver, targets: readonly string[]): Result<string[], ControlPlaneError> {
  const out = new Set<string>();
  for (const t of targets) {
    const arn = parseRegistryArn(t);
    if (!arn) return err(invalidRequest(`Invalid target ARN: ${t}`));
    if (arn.kind === 'thing') {
      if (!registry.isRegistered(arn.name)) return err(notFound(`Thing ${arn.name} cannot be found.`));
      out.add(arn.name);
    } else {
      if (!resolver.groupExists(arn.name)) return err(notFound(`Thing group ${arn.name} cannot be found.`));
      for (const thing of resolver.thingsInGroup(arn.name)) out.add(thing);
    }
  }
  return ok([...out]);
}

const TEMPLATE_SETTINGS = ['presignedUrlConfig', 'jobExecutionsRolloutConfig', 'abortConfig', 'timeoutConfig', 'jobExecutionsRetryConfig', 'destinationPackageVersions', 'description'] as const;

/** A job made from a template takes the template's settings where the request gives none. */
function withTemplateDefaults(request: Omit<CreateJobInput, 'document'>, defaults: TemplateJobDefaults | undefined): Omit<CreateJobInput, 'document'> {
  if (!defaults) return request;
  const out: Omit<CreateJobInput, 'document'> = { ...request };
  for (const k of TEMPLATE_SETTINGS) if (out[k] === undefined && defaults[k] !== undefined) Object.assign(out, { [k]: defaults[k] });
  if (defaults.maintenanceWindows !== undefined && out.schedulingConfig?.maintenanceWindows === undefined) {
    out.schedulingConfig = { ...out.schedulingConfig, maintenanceWindows: defaults.maintenanceWindows };
  }
  return out;
}
