/**
 * AWS's CreateJob errors → the form fields they are about. AWS's validation layer names members
 * (`1 validation error detected: Value '0' at 'jobExecutionsRolloutConfig.maximumPerMinute' failed
 * to satisfy constraint: …`, list items as `criteriaList.1.member`, 1-based); the service's own
 * checks start with the member (`schedulingConfig.maintenanceWindows[0].startTime cron(…): …`) or
 * name the resource (`Thing group X cannot be found.`). Field paths here are the form's input
 * names: request member paths with 0-based `[i]` list items. Pure: no DOM, no preact.
 */

export interface FieldError {
  /** The member the message names, e.g. `abortConfig.criteriaList[0].thresholdPercentage`. */
  field: string;
  message: string;
}

export interface MappedErrors {
  fields: FieldError[];
  /** Messages that name no field: shown above the submit button. */
  form: string[];
}

export interface ErrorLike {
  /** x-amzn-ErrorType without its suffix, e.g. InvalidRequestException. */
  type: string;
  message: string;
}

const TOP_MEMBERS = [
  'jobId',
  'targets',
  'documentSource',
  'document',
  'description',
  'targetSelection',
  'jobTemplateArn',
  'documentParameters',
  'jobExecutionsRolloutConfig',
  'abortConfig',
  'timeoutConfig',
  'jobExecutionsRetryConfig',
  'schedulingConfig',
  'presignedUrlConfig',
] as const;

/** `abortConfig.criteriaList.1.member.thresholdPercentage` → `abortConfig.criteriaList[0].thresholdPercentage`. */
export function normalisePath(awsPath: string): string {
  return awsPath.replace(/\.(\d+)\.member(?=\.|\[|$)/g, (_m, n: string) => `[${Number(n) - 1}]`);
}

const VALIDATION_PREFIX = /^\d+ validation errors? detected: /;
const MEMBER_PROBLEM = /^Value (?:'[\s\S]*'|null) at '([^']+)' failed to satisfy constraint: /;
const LEADING_MEMBER = new RegExp(`^(?:${TOP_MEMBERS.join('|')})(?:\\.[A-Za-z0-9_-]+|\\[\\d+\\])*(?=[\\s:]|$)`);

/** The problems of a validation message, one by one (AWS joins them with `; `; a value may hold `; ` too). */
export function splitProblems(listed: string): string[] {
  const problems: string[] = [];
  for (const piece of listed.split('; ')) {
    const last = problems.at(-1);
    // A "Value '…" without its "at '…' failed…" yet was cut inside its value: glue it back.
    if (last !== undefined && last.startsWith("Value '") && !/' at '[^']*' failed to satisfy constraint: /.test(last)) problems[problems.length - 1] = `${last}; ${piece}`;
    else problems.push(piece);
  }
  return problems.filter((p) => p !== '…' && p !== '');
}

const names = (list: string): string[] => list.split(/,\s*/).filter((n) => n !== '');

/** The fields one problem (or one whole non-validation message) is about; [] = the form as a whole. */
export function fieldsOfProblem(problem: string): string[] {
  const member = MEMBER_PROBLEM.exec(problem);
  if (member?.[1] !== undefined) return [normalisePath(member[1])];
  const leading = LEADING_MEMBER.exec(problem);
  if (leading) return [leading[0]];
  let m: RegExpExecArray | null;
  if ((m = /^Missing required document parameters? (.+?) for job template /.exec(problem))) return names(m[1] ?? '').map((n) => `documentParameters.${n}`);
  if ((m = /^Document parameters? (.+?) (?:is|are) not defined by job template /.exec(problem))) return names(m[1] ?? '').map((n) => `documentParameters.${n}`);
  if ((m = /^Value for document parameter (\S+) of job template /.exec(problem))) return [`documentParameters.${m[1] ?? ''}`];
  if (/exactly one of document, documentSource or jobTemplateArn/.test(problem)) return ['document'];
  if (/^Invalid target ARN/.test(problem)) return ['targets'];
  if (/^The job document /.test(problem)) return ['document'];
  return [];
}

/** Where a server error belongs on the form. */
export function mapAwsError(error: ErrorLike): MappedErrors {
  const type = error.type.replace(/Exception$/, '');
  const message = error.message;
  if (type === 'ResourceAlreadyExists') return { fields: [{ field: 'jobId', message }], form: [] };
  if (type === 'ResourceNotFound') {
    if (/^Thing (group )?\S.* cannot be found/.test(message)) return { fields: [{ field: 'targets', message }], form: [] };
    if (/^(Managed job template|Job template) /.test(message)) return { fields: [{ field: 'jobTemplateArn', message }], form: [] };
    return { fields: [], form: [message] };
  }
  if (type !== 'InvalidRequest') return { fields: [], form: [message] };

  const validation = VALIDATION_PREFIX.exec(message);
  const problems = validation ? splitProblems(message.slice(validation[0].length)) : [message];
  const out: MappedErrors = { fields: [], form: [] };
  for (const problem of problems) {
    const fields = fieldsOfProblem(problem);
    if (fields.length === 0) out.form.push(problem);
    for (const field of fields) out.fields.push({ field, message: problem });
  }
  return out;
}

/** `a.b[0].c` → `a.b[0]` → `a.b` → `a` → undefined. */
export function parentPath(path: string): string | undefined {
  const cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
  return cut > 0 ? path.slice(0, cut) : undefined;
}

/** A member the form has no input for, shown where its twin lives (template mode has no document editor, and so on). */
const STAND_INS: Readonly<Record<string, readonly string[]>> = {
  document: ['jobTemplateArn'],
  documentSource: ['document', 'jobTemplateArn'],
  jobTemplateArn: ['document'],
  documentParameters: ['jobTemplateArn'],
};

/**
 * The field on screen that shows an error about `path`: the path itself, else its nearest
 * ancestor the form has (`…criteriaList[0].action` → `…criteriaList[0]` → …); undefined = the
 * form's own error box.
 */
export function resolveField(path: string, shown: ReadonlySet<string>): string | undefined {
  for (let p: string | undefined = path; p !== undefined; p = parentPath(p)) {
    if (shown.has(p)) return p;
    if (parentPath(p) === undefined) for (const standIn of STAND_INS[p] ?? []) if (shown.has(standIn)) return standIn;
  }
  return undefined;
}

export type SectionId = 'job' | 'targets' | 'document' | 'rollout' | 'abort' | 'timeouts' | 'scheduling';

/** The form section a member lives in, so a collapsed section with an error opens. */
export function sectionOf(path: string): SectionId | undefined {
  const top = /^[A-Za-z]+/.exec(path)?.[0];
  switch (top) {
    case 'jobId':
    case 'description':
      return 'job';
    case 'targets':
    case 'targetSelection':
      return 'targets';
    case 'document':
    case 'documentSource':
    case 'jobTemplateArn':
    case 'documentParameters':
      return 'document';
    case 'jobExecutionsRolloutConfig':
      return 'rollout';
    case 'abortConfig':
      return 'abort';
    case 'timeoutConfig':
    case 'jobExecutionsRetryConfig':
      return 'timeouts';
    case 'schedulingConfig':
      return 'scheduling';
    default:
      return undefined;
  }
}
