/**
 * Control-plane Jobs request bodies (spec §3.2–3.3, §4.5, §4.7): CreateJob, UpdateJob, CancelJob
 * and CancelJobExecution, judged on their own before the jobs service compares them with stored
 * jobs. Pure: time arrives as `nowMs` (checkSchedule only). Every violation is a ValidationError
 * (HTTP 400 InvalidRequestException) worded as AWS's validation layer words it, every violation
 * counted: `2 validation errors detected: Value '1001' at 'jobExecutionsRolloutConfig.maximumPerMinute'
 * failed to satisfy constraint: Member must have value less than or equal to 1000; Value …`.
 * Unknown members are ignored (SDKs add some); known members of the wrong type are errors.
 */
import { Buffer } from 'node:buffer';
import { z } from 'zod';
import { err, ok, type Result } from '../../core/result.js';
import { parseRegistryArn } from '../registry/arns.js';
import { CONTROL_PLANE_STATUS_DETAILS_MAX_ENTRIES, validateStatusDetails } from './executions.js';
import {
  checkedString,
  firstViolation,
  genericArn,
  isPlainObject,
  jobConfigShape,
  length,
  noControlChars,
  parseScheduleTime,
  pattern,
  struct,
  updatableConfigShape,
  type JobConfigs,
  type StringCheck,
} from './job-configs.js';

export type { JobConfigs } from './job-configs.js';

export type TargetSelection = 'SNAPSHOT' | 'CONTINUOUS';
export const TARGET_SELECTIONS = ['SNAPSHOT', 'CONTINUOUS'] as const satisfies readonly TargetSelection[];

/** Becomes HTTP 400 InvalidRequestException with this message. */
export interface ValidationError {
  message: string;
}

/** `Value` is optional in the model (TagValue 0–256, not required). */
export interface JobTag {
  Key: string;
  Value?: string;
}

export type CreateJobInput = {
  targets: string[];
  document?: string;
  documentSource?: string;
  description?: string;
  targetSelection: TargetSelection;
  jobTemplateArn?: string;
  documentParameters?: Record<string, string>;
  namespaceId?: string;
  tags?: JobTag[];
  destinationPackageVersions?: string[];
} & JobConfigs;

export type UpdateJobInput = { description?: string } & Pick<
  JobConfigs,
  'presignedUrlConfig' | 'jobExecutionsRolloutConfig' | 'abortConfig' | 'timeoutConfig' | 'jobExecutionsRetryConfig'
>;

export interface CancelJobInput {
  reasonCode?: string;
  comment?: string;
}

export interface CancelJobExecutionInput {
  expectedVersion?: number;
  statusDetails?: Record<string, string>;
}

export const JOB_ID_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;
/** Counted in UTF-8 bytes: the service quota is "32 KB" (§4.7), stricter than the model's 32 768 code points. */
export const JOB_DOCUMENT_MAX_BYTES = 32768;
export const TAGS_MAX = 50;
export const DESTINATION_PACKAGE_VERSIONS_MAX = 25;

/** AWS managed templates, the only ones that take documentParameters: `arn:aws:iot:<region>::jobtemplate/AWS-<name>:<version>`. */
const MANAGED_TEMPLATE_ARN = /^arn:[^:]+:iot:[^:]*::jobtemplate\/AWS-[^:/]+:[^:/]+$/;

const JOB_ID_CHECKS: readonly StringCheck[] = [length(1, 64), pattern(/^[a-zA-Z0-9_-]+$/)];

// ---- member schemas -----------------------------------------------------------------------------

const description = checkedString(length(0, 2028), noControlChars);

const targetArn = checkedString(length(1, 2048), (s) =>
  parseRegistryArn(s) === undefined
    ? 'Member must be a thing or thing group ARN (arn:<partition>:iot:<region>:<account>:thing/<name> or …:thinggroup/<name>)'
    : undefined,
);

/** What a job document must be, inline or read from its `documentSource`. */
const JOB_DOCUMENT_CHECKS: readonly StringCheck[] = [
  (s) => (Buffer.byteLength(s, 'utf8') > JOB_DOCUMENT_MAX_BYTES ? `Member must have length less than or equal to ${JOB_DOCUMENT_MAX_BYTES} bytes` : undefined),
  // A lone surrogate has no UTF-8 form; AWS requires UTF-8 documents.
  (s) => (/\p{Cs}/u.test(s) ? 'Member must be valid UTF-8' : undefined),
  (s) => (isJsonObjectText(s) ? undefined : 'Member must be a JSON object'),
];

const jobDocument = checkedString(...JOB_DOCUMENT_CHECKS);

/** The first rule a job document breaks, or undefined: for documents read from a `documentSource`. */
export const jobDocumentViolation = (text: string): string | undefined => firstViolation(text, JOB_DOCUMENT_CHECKS);

function isJsonObjectText(s: string): boolean {
  try {
    return isPlainObject(JSON.parse(s));
  } catch {
    return false;
  }
}

const PARAMETER_KEY_CHECKS: readonly StringCheck[] = [length(1, 128), pattern(/^[a-zA-Z0-9_-]+$/)];
const PARAMETER_VALUE_CHECKS: readonly StringCheck[] = [length(1, 30720), noControlChars];

/**
 * documentParameters (ParameterMap). Not z.record: that assigns keys one by one, so a `__proto__`
 * key (valid by the pattern) would vanish instead of staying data.
 */
const documentParameters = z.unknown().transform((v, ctx): Record<string, string> => {
  if (!isPlainObject(v)) {
    ctx.addIssue({ code: 'custom', message: 'Member must be a map of strings', input: v });
    return z.NEVER;
  }
  const entries = Object.entries(v);
  const before = ctx.issues.length;
  for (const [key, value] of entries) {
    const badKey = firstViolation(key, PARAMETER_KEY_CHECKS);
    if (badKey !== undefined) {
      ctx.addIssue({ code: 'custom', message: `Map keys must satisfy constraint: [${badKey}]`, input: key });
    } else if (typeof value !== 'string') {
      ctx.addIssue({ code: 'custom', path: [key], message: 'Member must be a string', input: value });
    } else {
      const badValue = firstViolation(value, PARAMETER_VALUE_CHECKS);
      if (badValue !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: badValue, input: value });
    }
  }
  return ctx.issues.length > before ? z.NEVER : (Object.fromEntries(entries) as Record<string, string>);
});

export const tag = struct({
  Key: checkedString(length(1, 128), pattern(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u)),
  Value: checkedString(length(0, 256)).optional(),
});

// ---- request schemas ----------------------------------------------------------------------------

const createJobSchema = struct({
  targets: z.array(targetArn).min(1),
  document: jobDocument.optional(),
  documentSource: checkedString(length(1, 1350)).optional(),
  description: description.optional(),
  targetSelection: z.enum(TARGET_SELECTIONS).default('SNAPSHOT'),
  jobTemplateArn: genericArn.optional(),
  documentParameters: documentParameters.optional(),
  ...jobConfigShape,
  namespaceId: checkedString(length(1, 64), pattern(/^[a-zA-Z0-9_-]+$/)).optional(),
  tags: z.array(tag).max(TAGS_MAX).optional(),
  destinationPackageVersions: z.array(genericArn).max(DESTINATION_PACKAGE_VERSIONS_MAX).optional(),
}).superRefine((job, ctx) => {
  // Runs only once every member has the right type (zod skips refinements after type errors).
  const sources = [job.document, job.documentSource, job.jobTemplateArn].filter((s) => s !== undefined).length;
  if (sources !== 1) {
    ctx.addIssue({ code: 'custom', message: 'A job must specify exactly one of document, documentSource or jobTemplateArn' });
  }
  if (job.documentParameters !== undefined && !MANAGED_TEMPLATE_ARN.test(job.jobTemplateArn ?? '')) {
    ctx.addIssue({
      code: 'custom',
      message: 'documentParameters may only be used with an AWS managed job template (jobTemplateArn arn:aws:iot:<region>::jobtemplate/AWS-<name>:<version>)',
    });
  }
});

/** UpdateJob's model has no document, targets or schedulingConfig; such members are ignored like any unknown one. */
const updateJobSchema = struct({ description: description.optional(), ...updatableConfigShape });

const cancelJobSchema = struct({
  reasonCode: checkedString(length(0, 128), pattern(/^[A-Z0-9_]+$/)).optional(),
  comment: checkedString(length(0, 2028), noControlChars).optional(),
});

const cancelJobExecutionSchema = struct({
  expectedVersion: z.int().min(0).optional(),
  statusDetails: z
    .unknown()
    .transform((v, ctx): Record<string, string> => {
      const checked = validateStatusDetails(v, { maxEntries: CONTROL_PLANE_STATUS_DETAILS_MAX_ENTRIES });
      if (checked.ok) return checked.value;
      ctx.addIssue({ code: 'custom', message: `Member must be a valid status details map: ${checked.error.message}`, input: v });
      return z.NEVER;
    })
    .optional(),
});

// ---- parsers ------------------------------------------------------------------------------------

export function parseCreateJob(jobId: string, body: unknown): Result<CreateJobInput, ValidationError> {
  const badId = firstViolation(jobId, JOB_ID_CHECKS);
  const idProblems = badId === undefined ? [] : [`Value ${showValue(jobId)} at 'jobId' failed to satisfy constraint: ${badId}`];
  const parsed = createJobSchema.safeParse(body ?? {}, { reportInput: true });
  const problems = [...idProblems, ...(parsed.success ? [] : parsed.error.issues.map(describeIssue))];
  if (!parsed.success || problems.length > 0) return err(validationError(problems));
  return ok(parsed.data);
}

export function parseUpdateJob(body: unknown): Result<UpdateJobInput, ValidationError> {
  return parseWith(updateJobSchema, body);
}

export function parseCancelJob(body: unknown): Result<CancelJobInput, ValidationError> {
  return parseWith(cancelJobSchema, body);
}

export function parseCancelJobExecution(body: unknown): Result<CancelJobExecutionInput, ValidationError> {
  return parseWith(cancelJobExecutionSchema, body);
}

/** A missing or `null` body is `{}`: these operations have no required members. */
export function parseWith<S extends z.ZodType>(schema: S, body: unknown): Result<z.output<S>, ValidationError> {
  const parsed = schema.safeParse(body ?? {}, { reportInput: true });
  return parsed.success ? ok(parsed.data) : err(validationError(parsed.error.issues.map(describeIssue)));
}

// ---- schedule (§4.5) ----------------------------------------------------------------------------

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
const MIN_LEAD_MS = 30 * MINUTE_MS;
const MIN_WINDOW_MS = 30 * MINUTE_MS;
const MAX_START_AHEAD_MS = 365 * DAY_MS;
const MAX_END_AHEAD_MS = 2 * 365 * DAY_MS;

/**
 * The rules of §4.5 that depend on the clock: start in [now+30 min, now+1 y], end ≥ start+30 min
 * (now+30 min without a start) and ≤ now+2 y. Schedule times have minute precision, so lower
 * bounds count from the start of the current minute. `waiveMinimumLead` (emulator flag) lets the
 * start be the current minute and the window be a single minute.
 */
export function checkSchedule(
  s: NonNullable<JobConfigs['schedulingConfig']>,
  nowMs: number,
  opts: { waiveMinimumLead?: boolean } = {},
): Result<{ startMs?: number; endMs?: number }, ValidationError> {
  const waive = opts.waiveMinimumLead === true;
  const minLead = waive ? 0 : MIN_LEAD_MS;
  const minWindow = waive ? MINUTE_MS : MIN_WINDOW_MS;
  const thisMinute = Math.floor(nowMs / MINUTE_MS) * MINUTE_MS;
  const out: { startMs?: number; endMs?: number } = {};

  if (s.startTime !== undefined) {
    const start = parseScheduleTime(s.startTime);
    if (start === undefined) return err({ message: `schedulingConfig.startTime ${s.startTime} is not a UTC time of the form YYYY-MM-DDTHH:MM` });
    if (start < thisMinute + minLead || start > nowMs + MAX_START_AHEAD_MS) {
      const lower = waive ? 'not be in the past' : 'be at least 30 minutes from now';
      return err({ message: `schedulingConfig.startTime ${s.startTime} must ${lower} and at most 1 year from now` });
    }
    out.startMs = start;
  }
  if (s.endTime !== undefined) {
    const end = parseScheduleTime(s.endTime);
    if (end === undefined) return err({ message: `schedulingConfig.endTime ${s.endTime} is not a UTC time of the form YYYY-MM-DDTHH:MM` });
    const from = out.startMs === undefined ? 'now' : 'startTime';
    if (end < (out.startMs ?? thisMinute) + minWindow) {
      const lower = waive ? `be after ${from}` : `be at least 30 minutes after ${from}`;
      return err({ message: `schedulingConfig.endTime ${s.endTime} must ${lower}` });
    }
    if (end > nowMs + MAX_END_AHEAD_MS) {
      return err({ message: `schedulingConfig.endTime ${s.endTime} must be at most 2 years from now` });
    }
    out.endMs = end;
  }
  return ok(out);
}

// ---- messages -----------------------------------------------------------------------------------

/** Every problem is counted, but only the first few are spelled out: a body of 10 000 bad targets gets a short answer. */
const PROBLEMS_LISTED_MAX = 10;

function validationError(problems: readonly string[]): ValidationError {
  const n = problems.length;
  const listed = problems.slice(0, PROBLEMS_LISTED_MAX).join('; ') + (n > PROBLEMS_LISTED_MAX ? '; …' : '');
  return { message: `${n} validation error${n === 1 ? '' : 's'} detected: ${listed}` };
}

const TYPE_NAMES: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'a boolean',
  object: 'a structure (JSON object)',
  array: 'a list (JSON array)',
};

/** One issue in AWS's words; issues without a member path (the body itself, cross-member rules) are said plainly. */
function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.path.length === 0) return issue.code === 'invalid_type' ? 'Request body must be a JSON object' : issue.message;
  return `Value ${showValue(issue.input)} at '${memberPath(issue.path)}' failed to satisfy constraint: ${constraint(issue)}`;
}

function constraint(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined || issue.input === null ? 'Member must not be null' : `Member must be ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
    case 'too_big':
      return `Member must have ${measure(issue.origin)} less than${issue.inclusive === false ? '' : ' or equal to'} ${String(issue.maximum)}`;
    case 'too_small':
      return `Member must have ${measure(issue.origin)} greater than${issue.inclusive === false ? '' : ' or equal to'} ${String(issue.minimum)}`;
    case 'invalid_value':
      return `Member must satisfy enum value set: [${issue.values.map(String).join(', ')}]`;
    default:
      return issue.message;
  }
}

const measure = (origin: string): string => (origin === 'array' || origin === 'string' || origin === 'set' ? 'length' : 'value');

/** AWS's path style: members joined by `.`, list items as `<1-based index>.member`. */
const memberPath = (path: readonly PropertyKey[]): string =>
  path.map((segment) => (typeof segment === 'number' ? `${segment + 1}.member` : String(segment))).join('.');

const SHOWN_VALUE_MAX = 100;

/** The offending value, clipped: a 32 KB document does not belong in an error message. */
function showValue(v: unknown): string {
  if (v === undefined || v === null) return 'null';
  let text: string;
  if (typeof v === 'string') text = v;
  else {
    try {
      text = JSON.stringify(v) ?? String(v);
    } catch {
      // Only pathological nesting gets here (stack overflow); the type is what matters then.
      text = Array.isArray(v) ? '[…]' : '{…}';
    }
  }
  // Code points, so an emoji is never cut in half; 2×MAX units always hold MAX code points.
  const clipped = [...text.slice(0, 2 * SHOWN_VALUE_MAX)].slice(0, SHOWN_VALUE_MAX).join('');
  return `'${clipped.length < text.length ? `${clipped}…` : text}'`;
}
