/**
 * Job templates (spec §3.2, §7): custom templates (Create/Describe/List/DeleteJobTemplate), the
 * AWS managed ones (Describe/ListManagedJobTemplates), and what CreateJob takes from either through
 * `documentForJob`. Custom templates live in memory and are written through to SQLite in batches,
 * as jobs are (`job-store.ts`). Results are data; the HTTP layer turns errors into AWS's exceptions.
 */
import type { Clock } from '../../core/clock.js';
import { err, ok, type Result } from '../../core/result.js';
import { invalidRequest, notFound, type ControlPlaneError } from '../control-plane-error.js';
import type { ArnScope } from '../registry/arns.js';
import type { Db, WriteBatcher } from '../store/sqlite.js';
import { loadDocumentSource, type DocumentSourceOptions } from './document-source.js';
import { substituteParameters, type DocumentParameters } from './documents.js';
import type { AbortConfig, JobExecutionsRetryConfig, JobExecutionsRolloutConfig, PresignedUrlConfig, SchedulingConfig, TimeoutConfig } from './job-configs.js';
import { jobDocumentViolation, type CreateJobInput, type JobTag } from './job-request.js';
import { isJobTemplateId, parseCreateJobTemplate } from './job-template-request.js';
import { findManagedTemplate, managedTemplateArn, MANAGED_TEMPLATES, type ManagedTemplate } from './managed-templates.js';
import { pageByOffset, type PageQuery } from './paging.js';

export type MaintenanceWindows = NonNullable<SchedulingConfig['maintenanceWindows']>;

/** What a job created from a template takes from it; the CreateJob request's own fields win. */
export interface TemplateJobDefaults {
  presignedUrlConfig?: PresignedUrlConfig;
  jobExecutionsRolloutConfig?: JobExecutionsRolloutConfig;
  abortConfig?: AbortConfig;
  timeoutConfig?: TimeoutConfig;
  jobExecutionsRetryConfig?: JobExecutionsRetryConfig;
  /** Become the job's `schedulingConfig.maintenanceWindows`. */
  maintenanceWindows?: MaintenanceWindows;
  destinationPackageVersions?: string[];
  /** The template's description: AWS answers CreateJob from AWS-Download-File with the template's (CLI guide). */
  description?: string;
}

const DEFAULT_KEYS = [
  'presignedUrlConfig',
  'jobExecutionsRolloutConfig',
  'abortConfig',
  'timeoutConfig',
  'jobExecutionsRetryConfig',
  'maintenanceWindows',
  'destinationPackageVersions',
] as const satisfies readonly (keyof TemplateJobDefaults)[];

/** A custom template as stored. */
export interface JobTemplate extends Omit<TemplateJobDefaults, 'description'> {
  jobTemplateId: string;
  jobTemplateArn: string;
  description: string;
  /** The document jobs get: given inline, read from `documentSource` at creation, or copied from `jobArn`'s job. */
  document: string;
  documentSource?: string;
  tags?: JobTag[];
  /** Epoch ms. */
  createdAt: number;
}

/** A job a template can be made from (CreateJobTemplate's `jobArn`). */
export interface TemplateSourceJob {
  document: string;
  documentSource?: string;
  configs: Omit<TemplateJobDefaults, 'description'>;
}

export interface JobTemplatesOptions {
  db: Db;
  batcher: WriteBatcher;
  scope: ArnScope;
  clock: Clock;
  /** The job an ARN names, if any; a callback so that templates need not know the job store. */
  jobByArn: (jobArn: string) => TemplateSourceJob | undefined;
  /** Where `documentSource` S3 URLs are read from. */
  documentSource?: DocumentSourceOptions;
}

export const jobTemplateArn = (scope: ArnScope, id: string): string => `arn:aws:iot:${scope.region}:${scope.account}:jobtemplate/${id}`;

// Region and account are not compared: callers send ARNs with other or empty ones (as for targets).
const CUSTOM_TEMPLATE_ARN = /^arn:[^:]+:iot:[^:]*:[^:]*:jobtemplate\/([a-zA-Z0-9_-]{1,64})$/;
const MANAGED_TEMPLATE_ARN = /^arn:[^:]+:iot:[^:]*::jobtemplate\/(AWS-[^:/]+):([^:/]+)$/;
const JOB_ARN = /^arn:[^:]+:iot:[^:]*:[^:]*:job\/([a-zA-Z0-9_-]{1,64})$/;

/** The jobId a job ARN names, or undefined. */
export const jobIdOfArn = (arn: string): string | undefined => JOB_ARN.exec(arn)?.[1];

/** A stored job as the source of a template: its document and the configs a template can hold. */
export function jobAsTemplateSource(job: Omit<CreateJobInput, 'document'> & { document: string }): TemplateSourceJob {
  const configs: TemplateSourceJob['configs'] = {
    ...pick(job, ['presignedUrlConfig', 'jobExecutionsRolloutConfig', 'abortConfig', 'timeoutConfig', 'jobExecutionsRetryConfig', 'destinationPackageVersions']),
    ...(job.schedulingConfig?.maintenanceWindows !== undefined ? { maintenanceWindows: job.schedulingConfig.maintenanceWindows } : {}),
  };
  return { document: job.document, ...(job.documentSource !== undefined ? { documentSource: job.documentSource } : {}), configs: structuredClone(configs) };
}

const templateKey = (id: string): string => `jobtemplate\u0000${id}`;
const templateNotFound = (what: string): ControlPlaneError => notFound(`Job template ${what} cannot be found.`);
/** Control-plane timestamps are epoch seconds, fractions allowed (§3.1). */
const apiTime = (ms: number): number => ms / 1000;

export class JobTemplates {
  private readonly templates = new Map<string, JobTemplate>();
  private seq = 0;
  private readonly q;

  constructor(private readonly o: JobTemplatesOptions) {
    this.q = {
      upsert: o.db.prepare(`INSERT INTO job_templates (job_template_id, seq, body) VALUES (?, ?, ?) ON CONFLICT (job_template_id) DO UPDATE SET body = excluded.body, seq = excluded.seq`),
      delete: o.db.prepare(`DELETE FROM job_templates WHERE job_template_id = ?`),
    };
    for (const row of o.db.prepare(`SELECT seq, body FROM job_templates ORDER BY seq`).iterate() as Iterable<{ seq: number; body: string }>) {
      const t = JSON.parse(row.body) as JobTemplate;
      this.templates.set(t.jobTemplateId, t);
      this.seq = Math.max(this.seq, row.seq);
    }
  }

  /** CreateJobTemplate: from `document`, `documentSource` (read now, as CreateJob reads it) or an existing job (`jobArn`). */
  async create(jobTemplateId: string, body: unknown): Promise<Result<{ jobTemplateArn: string; jobTemplateId: string }, ControlPlaneError>> {
    const input = parseCreateJobTemplate(jobTemplateId, body);
    if (!input.ok) return err(invalidRequest(input.error.message));
    const { jobArn: sourceJobArn, tags, ...req } = input.value;
    if (this.templates.has(jobTemplateId)) return err(this.exists(jobTemplateId));

    let document: string;
    let documentSource = req.documentSource;
    let copied: TemplateSourceJob['configs'] = {};
    if (sourceJobArn !== undefined) {
      const job = this.o.jobByArn(sourceJobArn);
      if (!job) return err(notFound(`Job ${jobIdOfArn(sourceJobArn) ?? sourceJobArn} cannot be found.`));
      ({ document, documentSource, configs: copied } = job);
    } else if (req.document !== undefined) {
      document = req.document;
    } else {
      const loaded = await this.load(req.documentSource ?? '');
      if (!loaded.ok) return loaded;
      document = loaded.value;
      // The document load awaited: another request may have taken the id meanwhile.
      if (this.templates.has(jobTemplateId)) return err(this.exists(jobTemplateId));
    }

    const arn = jobTemplateArn(this.o.scope, jobTemplateId);
    const template: JobTemplate = {
      jobTemplateId,
      jobTemplateArn: arn,
      description: req.description,
      document,
      ...(documentSource !== undefined ? { documentSource } : {}),
      // The request's own configs win over the job's.
      ...copied,
      ...pick(req, DEFAULT_KEYS),
      ...(tags !== undefined ? { tags } : {}),
      createdAt: this.o.clock.now(),
    };
    this.templates.set(jobTemplateId, template);
    const seq = ++this.seq;
    const row = JSON.stringify(template);
    this.o.batcher.enqueue(templateKey(jobTemplateId), () => this.q.upsert.run(jobTemplateId, seq, row));
    return ok({ jobTemplateArn: arn, jobTemplateId });
  }

  /** DescribeJobTemplate: the create fields (not tags) with arn, id and createdAt. */
  describe(jobTemplateId: string): Result<Record<string, unknown>, ControlPlaneError> {
    const t = this.find(jobTemplateId);
    if (!t.ok) return t;
    const { jobTemplateArn: arn, description, document, documentSource, createdAt } = t.value;
    return ok({
      jobTemplateArn: arn,
      jobTemplateId,
      description,
      // As given: a template made from a source reports the source, as DescribeJob does.
      ...(documentSource !== undefined ? { documentSource } : { document }),
      createdAt: apiTime(createdAt),
      ...structuredClone(pick(t.value, DEFAULT_KEYS)),
    });
  }

  /** ListJobTemplates: summaries in creation order. */
  list(q: PageQuery): Result<{ jobTemplates: Record<string, unknown>[]; nextToken?: string }, ControlPlaneError> {
    const page = pageByOffset([...this.templates.values()], q);
    if (!page.ok) return page;
    return ok({
      jobTemplates: page.value.items.map((t) => ({ jobTemplateArn: t.jobTemplateArn, jobTemplateId: t.jobTemplateId, description: t.description, createdAt: apiTime(t.createdAt) })),
      ...(page.value.nextToken !== undefined ? { nextToken: page.value.nextToken } : {}),
    });
  }

  /** DeleteJobTemplate: jobs made from the template keep their document and configs. */
  delete(jobTemplateId: string): Result<Record<string, never>, ControlPlaneError> {
    const t = this.find(jobTemplateId);
    if (!t.ok) return t;
    this.templates.delete(jobTemplateId);
    // Its own key: a template recreated with this id in the same batch must not replace the delete.
    this.o.batcher.enqueue(`delete\u0000${templateKey(jobTemplateId)}`, () => this.q.delete.run(jobTemplateId));
    return ok({});
  }

  /** DescribeManagedJobTemplate (`templateVersion` absent: the default version). */
  describeManaged(templateName: string, templateVersion?: string): Result<Record<string, unknown>, ControlPlaneError> {
    if (templateName.length < 1 || templateName.length > 64) return err(invalidRequest('templateName must have length from 1 to 64'));
    if (templateVersion !== undefined && !/^[1-9]+.[0-9]+/.test(templateVersion)) {
      return err(invalidRequest(`Value '${templateVersion}' at 'templateVersion' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[1-9]+.[0-9]+`));
    }
    const t = findManagedTemplate(templateName, templateVersion);
    if (!t) return err(notFound(`Managed job template ${templateName}${templateVersion !== undefined ? ` version ${templateVersion}` : ''} cannot be found.`));
    return ok({ ...this.managedSummary(t), documentParameters: t.documentParameters.map((p) => ({ ...p })), document: t.document });
  }

  /** ListManagedJobTemplates, optionally the versions of one template (an unknown name is 404). */
  listManaged(q: PageQuery & { templateName?: string }): Result<{ managedJobTemplates: Record<string, unknown>[]; nextToken?: string }, ControlPlaneError> {
    const matches = MANAGED_TEMPLATES.filter((t) => q.templateName === undefined || t.name === q.templateName);
    if (q.templateName !== undefined && matches.length === 0) return err(notFound(`Managed job template ${q.templateName} cannot be found.`));
    const page = pageByOffset(matches, q);
    if (!page.ok) return page;
    return ok({
      managedJobTemplates: page.value.items.map((t) => this.managedSummary(t)),
      ...(page.value.nextToken !== undefined ? { nextToken: page.value.nextToken } : {}),
    });
  }

  /**
   * What CreateJob with `jobTemplateArn` gets: the document (a managed template's with
   * `documentParameters` substituted; a custom one's as stored, which takes none) and the
   * template's configs, for the request's own fields to override.
   */
  documentForJob(templateArn: string, documentParameters: DocumentParameters | undefined): Result<{ document: string; defaults: TemplateJobDefaults }, ControlPlaneError> {
    const managed = MANAGED_TEMPLATE_ARN.exec(templateArn);
    if (managed) {
      const t = findManagedTemplate(managed[1] as string, managed[2] as string);
      if (!t) return err(templateNotFound(templateArn));
      const document = substituteParameters(t, documentParameters, templateArn);
      return document.ok ? ok({ document: document.value, defaults: { description: t.description } }) : document;
    }
    const id = CUSTOM_TEMPLATE_ARN.exec(templateArn)?.[1];
    const t = id === undefined ? undefined : this.templates.get(id);
    if (!t) return err(templateNotFound(templateArn));
    if (documentParameters !== undefined) return err(invalidRequest('documentParameters can only be used with AWS managed job templates'));
    return ok({ document: t.document, defaults: structuredClone({ ...pick(t, DEFAULT_KEYS), description: t.description }) });
  }

  private find(jobTemplateId: string): Result<JobTemplate, ControlPlaneError> {
    if (!isJobTemplateId(jobTemplateId)) {
      return err(invalidRequest(`1 validation error detected: Value '${jobTemplateId.slice(0, 100)}' at 'jobTemplateId' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_-]+ with length 1 to 64`));
    }
    const t = this.templates.get(jobTemplateId);
    return t ? ok(t) : err(templateNotFound(jobTemplateId));
  }

  private exists(jobTemplateId: string): ControlPlaneError {
    // ConflictException (the model's error for CreateJobTemplate), not ResourceAlreadyExists.
    return { code: 'Conflict', message: `Job template ${jobTemplateId} already exists.`, resourceId: jobTemplateId };
  }

  private async load(source: string): Promise<Result<string, ControlPlaneError>> {
    let loaded: Result<string, ControlPlaneError>;
    try {
      loaded = await loadDocumentSource(source, this.o.documentSource ?? {});
    } catch {
      // parseS3Url throws URIError on a stray `%` in the key: a bad request, not a 500.
      return err(invalidRequest(`documentSource ${source} is not a valid URL`));
    }
    if (!loaded.ok) return loaded;
    const violated = jobDocumentViolation(loaded.value);
    return violated === undefined ? loaded : err(invalidRequest(`The job document at ${source} is not acceptable: ${violated}`));
  }

  private managedSummary(t: ManagedTemplate): Record<string, unknown> {
    return {
      templateArn: managedTemplateArn(this.o.scope, t.name, t.version),
      templateName: t.name,
      description: t.description,
      environments: [...t.environments],
      templateVersion: t.version,
    };
  }
}

/** The members of `o` named by `keys` that are set. */
function pick<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
