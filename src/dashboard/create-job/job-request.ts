/**
 * The form → the CreateJob request (`PUT /jobs/{jobId}`, REST-JSON body exactly as the AWS CLI
 * sends it), and the equivalent `aws iot create-job` command line. Numbers go as numbers; empty
 * optional inputs are left out; nothing is range-checked here, because the point of the form is
 * to show AWS's (the server's) own validation errors next to the fields. Held back are only
 * requests the API could not even receive as meant: no job id (it is the path) and a document
 * that is not JSON at all.
 * Pure: no DOM, no preact.
 */
import type { AbortRow, CreateJobForm, MaintenanceWindowRow, RetryRow } from './form-state.js';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface CreateJobRequest {
  jobId: string;
  body: JsonObject;
  /** Problems that stop the form from sending at all, by field (the member path). */
  blockers: { field: string; message: string }[];
}

/** Where the document editor stands: a JSON parse error is shown live, under the editor. */
export function documentProblem(text: string): string | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/**
 * A number input's text as the request carries it: '' → left out, a number → that number, and
 * anything else as typed, so the server reports it against its member ("Member must be a number").
 */
export function numberOrRaw(text: string): number | string | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  const n = Number(t);
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t) && Number.isFinite(n) ? n : t;
}

/**
 * A datetime-local value (`YYYY-MM-DDTHH:MM`, maybe with seconds) as CreateJob's schedule time,
 * `YYYY-MM-DDTHH:MM` UTC: the form labels these inputs UTC, as the header shows the cloud's clock.
 */
export function scheduleTime(text: string): string | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(t) ? t.slice(0, 16) : t;
}

/** The members of `obj` that are set; undefined when none is (an empty config is not sent). */
function compact(obj: Record<string, JsonValue | undefined>): JsonObject | undefined {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) out[k] = v;
  return Object.keys(out).length > 0 ? out : undefined;
}

const abortCriteria = (row: AbortRow): JsonObject => ({
  failureType: row.failureType,
  action: row.action,
  ...compact({ thresholdPercentage: numberOrRaw(row.thresholdPercentage), minNumberOfExecutedThings: numberOrRaw(row.minNumberOfExecutedThings) }),
});

const retryCriteria = (row: RetryRow): JsonObject => ({ failureType: row.failureType, ...compact({ numberOfRetries: numberOrRaw(row.numberOfRetries) }) });

const maintenanceWindow = (row: MaintenanceWindowRow): JsonObject =>
  compact({ startTime: row.startTime.trim() === '' ? undefined : row.startTime.trim(), durationInMinutes: numberOrRaw(row.durationInMinutes) }) ?? {};

function rolloutConfig(form: CreateJobForm): JsonObject | undefined {
  if (form.rolloutMode === 'none') return undefined;
  const maximumPerMinute = numberOrRaw(form.maximumPerMinute);
  if (form.rolloutMode === 'constant') return compact({ maximumPerMinute });
  // Exponential: always sent, so a missing member is named by the server rather than dropped silently.
  const exponentialRate: JsonObject = {
    ...compact({ baseRatePerMinute: numberOrRaw(form.baseRatePerMinute), incrementFactor: numberOrRaw(form.incrementFactor) }),
    rateIncreaseCriteria: compact({ [form.rateIncreaseCriterion]: numberOrRaw(form.rateIncreaseThreshold) }) ?? {},
  };
  return { ...compact({ maximumPerMinute }), exponentialRate };
}

function schedulingConfig(form: CreateJobForm): JsonObject | undefined {
  return compact({
    startTime: scheduleTime(form.scheduleStart),
    endTime: scheduleTime(form.scheduleEnd),
    endBehavior: form.endBehavior === '' ? undefined : form.endBehavior,
    maintenanceWindows: form.maintenanceWindows.length > 0 ? form.maintenanceWindows.map(maintenanceWindow) : undefined,
  });
}

/** The document as sent: compacted when it parses (what `file://job.json` would hold, minus the layout). */
function documentText(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return text;
  }
}

function documentMembers(form: CreateJobForm, blockers: CreateJobRequest['blockers']): JsonObject {
  if (form.documentMode === 'template') {
    const params = compact(Object.fromEntries(Object.entries(form.documentParameters).map(([k, v]) => [k, v === '' ? undefined : v])));
    return { ...compact({ jobTemplateArn: form.jobTemplateArn === '' ? undefined : form.jobTemplateArn }), ...(params ? { documentParameters: params } : {}) };
  }
  const problem = documentProblem(form.document);
  if (problem !== undefined) blockers.push({ field: 'document', message: `The document is not valid JSON: ${problem}` });
  return { document: documentText(form.document) };
}

export function buildCreateJobRequest(form: CreateJobForm): CreateJobRequest {
  const blockers: CreateJobRequest['blockers'] = [];
  const jobId = form.jobId.trim();
  // The id is the request's path: without one there is no CreateJob to send (PUT /jobs/ is another route).
  if (jobId === '') blockers.push({ field: 'jobId', message: 'Enter a job ID: it is the last part of the request path, PUT /jobs/{jobId}.' });
  const body: JsonObject = {
    targets: [...form.groups, ...form.things].map((t) => t.arn),
    ...documentMembers(form, blockers),
    ...compact({
      description: form.description === '' ? undefined : form.description,
      targetSelection: form.targetSelection,
      jobExecutionsRolloutConfig: rolloutConfig(form),
      abortConfig: form.abortCriteria.length > 0 ? { criteriaList: form.abortCriteria.map(abortCriteria) } : undefined,
      timeoutConfig: compact({ inProgressTimeoutInMinutes: numberOrRaw(form.inProgressTimeoutInMinutes) }),
      jobExecutionsRetryConfig: form.retryCriteria.length > 0 ? { criteriaList: form.retryCriteria.map(retryCriteria) } : undefined,
      schedulingConfig: schedulingConfig(form),
    }),
  };
  return { jobId, body, blockers };
}

// ---- the same request as an AWS CLI command line ------------------------------------------------

/** POSIX shell quoting: bare when safe, else single quotes (a `'` inside becomes `'\''`). */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_\-.:/=@,+%]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}

const kebab = (member: string): string => member.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * `aws iot create-job …` sending the same body: strings as they are, lists of strings as
 * separate words, structures as JSON (the CLI accepts JSON for any structure parameter).
 */
export function cliCommand(req: Pick<CreateJobRequest, 'jobId' | 'body'>, endpointUrl: string): string {
  const lines = [`aws iot create-job --job-id ${shellQuote(req.jobId === '' ? '<job-id>' : req.jobId)}`];
  for (const [member, value] of Object.entries(req.body)) {
    const flag = `--${kebab(member)}`;
    if (typeof value === 'string') lines.push(`${flag} ${shellQuote(value)}`);
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) lines.push(value.length === 0 ? flag : `${flag} ${value.map((v) => shellQuote(String(v))).join(' ')}`);
    else lines.push(`${flag} ${shellQuote(JSON.stringify(value))}`);
  }
  lines.push(`--endpoint-url ${shellQuote(endpointUrl)}`);
  return lines.join(' \\\n  ');
}
