/**
 * CreateJobTemplate's request (spec §3.2; botocore `CreateJobTemplateRequest`), judged on its own
 * before the templates are consulted. The configs are CreateJob's own schemas, so a template
 * holds exactly what a job could; violations are worded and counted as CreateJob's are
 * (`1 validation error detected: Value … at 'jobTemplateId' failed to satisfy constraint: …`).
 */
import { z } from 'zod';
import type { Result } from '../../core/result.js';
import {
  abortConfigSchema,
  checkedString,
  genericArn,
  isPlainObject,
  jobExecutionsRetryConfigSchema,
  jobExecutionsRolloutConfigSchema,
  length,
  noControlChars,
  pattern,
  presignedUrlConfigSchema,
  schedulingConfigSchema,
  struct,
  timeoutConfigSchema,
} from './job-configs.js';
import { DESTINATION_PACKAGE_VERSIONS_MAX, TAGS_MAX, jobDocumentViolation, parseWith, tag, type ValidationError } from './job-request.js';

export const JOB_TEMPLATE_ID_PATTERN = /^[a-zA-Z0-9_-]+$/;
export const JOB_TEMPLATE_ID_MAX = 64;

/** MaintenanceWindows as CreateJob's schedulingConfig takes them: templates hold the windows but no start or end. */
export const maintenanceWindowsSchema = schedulingConfigSchema.out.shape.maintenanceWindows;

const createJobTemplateSchema = struct({
  // The path label, judged as a member: AWS names it in the message the same way.
  jobTemplateId: checkedString(length(1, JOB_TEMPLATE_ID_MAX), pattern(JOB_TEMPLATE_ID_PATTERN)),
  description: checkedString(length(0, 2028), noControlChars),
  document: checkedString((s) => jobDocumentViolation(s)).optional(),
  documentSource: checkedString(length(1, 1350)).optional(),
  jobArn: genericArn.optional(),
  presignedUrlConfig: presignedUrlConfigSchema.optional(),
  jobExecutionsRolloutConfig: jobExecutionsRolloutConfigSchema.optional(),
  abortConfig: abortConfigSchema.optional(),
  timeoutConfig: timeoutConfigSchema.optional(),
  jobExecutionsRetryConfig: jobExecutionsRetryConfigSchema.optional(),
  maintenanceWindows: maintenanceWindowsSchema,
  tags: z.array(tag).max(TAGS_MAX).optional(),
  destinationPackageVersions: z.array(genericArn).max(DESTINATION_PACKAGE_VERSIONS_MAX).optional(),
}).superRefine((t, ctx) => {
  // Runs only once every member has the right type (zod skips refinements after type errors).
  const sources = [t.document, t.documentSource, t.jobArn].filter((s) => s !== undefined).length;
  if (sources !== 1) ctx.addIssue({ code: 'custom', message: 'A job template must specify exactly one of document, documentSource or jobArn' });
});

export type CreateJobTemplateInput = z.output<typeof createJobTemplateSchema>;

/** The request with its path label; a `jobTemplateId` member in the body is overridden by the path. */
export function parseCreateJobTemplate(jobTemplateId: string, body: unknown): Result<CreateJobTemplateInput, ValidationError> {
  // A body that is not an object is reported as such, not hidden behind the id.
  const members = body === undefined || body === null ? {} : body;
  return parseWith(createJobTemplateSchema, isPlainObject(members) ? { ...members, jobTemplateId } : members);
}

/** Whether `id` could name a job template at all (Describe/Delete answer 404 to well-formed unknown ids, 400 otherwise). */
export const isJobTemplateId = (id: string): boolean => id.length >= 1 && id.length <= JOB_TEMPLATE_ID_MAX && JOB_TEMPLATE_ID_PATTERN.test(id);
