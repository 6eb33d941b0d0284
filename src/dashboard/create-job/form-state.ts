/**
 * What the Create job form holds. Inputs are kept as the strings the user typed, so an empty
 * optional input is simply omitted from the request and a wrong value reaches the server as
 * typed, where AWS's validation judges it (job-request.ts turns this into the CreateJob body).
 * Pure: no DOM, no preact (unit tested under Node).
 */

export type TargetSelection = 'SNAPSHOT' | 'CONTINUOUS';
export type RolloutMode = 'none' | 'constant' | 'exponential';
export type RateIncreaseCriterion = 'numberOfNotifiedThings' | 'numberOfSucceededThings';
export type DocumentMode = 'document' | 'template';

export const ABORT_FAILURE_TYPES = ['FAILED', 'REJECTED', 'TIMED_OUT', 'ALL'] as const;
export const RETRY_FAILURE_TYPES = ['FAILED', 'TIMED_OUT', 'ALL'] as const;
export const END_BEHAVIORS = ['STOP_ROLLOUT', 'CANCEL', 'FORCE_CANCEL'] as const;

export type AbortFailureType = (typeof ABORT_FAILURE_TYPES)[number];
export type RetryFailureType = (typeof RETRY_FAILURE_TYPES)[number];
export type EndBehavior = (typeof END_BEHAVIORS)[number];

/** A chosen target: the registry's name (what the checkbox shows) and ARN (what CreateJob takes). */
export interface TargetRef {
  name: string;
  arn: string;
}

export interface AbortRow {
  failureType: AbortFailureType;
  action: 'CANCEL';
  thresholdPercentage: string;
  minNumberOfExecutedThings: string;
}

export interface RetryRow {
  failureType: RetryFailureType;
  numberOfRetries: string;
}

export interface MaintenanceWindowRow {
  /** `cron(min hour day-of-month month day-of-week year)`. */
  startTime: string;
  durationInMinutes: string;
}

export interface CreateJobForm {
  jobId: string;
  description: string;
  groups: TargetRef[];
  things: TargetRef[];
  targetSelection: TargetSelection;

  documentMode: DocumentMode;
  /** The preset the document came from, or `custom` once edited by hand. */
  preset: string;
  document: string;
  /** The chosen template's ARN, custom or managed ('' = none chosen). */
  jobTemplateArn: string;
  /** Managed templates only; empty values are left out. */
  documentParameters: Record<string, string>;

  rolloutMode: RolloutMode;
  maximumPerMinute: string;
  baseRatePerMinute: string;
  incrementFactor: string;
  rateIncreaseCriterion: RateIncreaseCriterion;
  rateIncreaseThreshold: string;

  abortCriteria: AbortRow[];
  inProgressTimeoutInMinutes: string;
  retryCriteria: RetryRow[];

  /** `YYYY-MM-DDTHH:MM` as a datetime-local input gives it, read as UTC (the cloud's clock is shown in UTC). */
  scheduleStart: string;
  scheduleEnd: string;
  /** '' = not sent (the service's default, STOP_ROLLOUT). */
  endBehavior: EndBehavior | '';
  maintenanceWindows: MaintenanceWindowRow[];
}

export function emptyForm(): CreateJobForm {
  return {
    jobId: '',
    description: '',
    groups: [],
    things: [],
    targetSelection: 'SNAPSHOT',
    documentMode: 'document',
    preset: 'custom',
    document: '{\n  \n}',
    jobTemplateArn: '',
    documentParameters: {},
    rolloutMode: 'none',
    maximumPerMinute: '',
    baseRatePerMinute: '',
    incrementFactor: '',
    rateIncreaseCriterion: 'numberOfSucceededThings',
    rateIncreaseThreshold: '',
    abortCriteria: [],
    inProgressTimeoutInMinutes: '',
    retryCriteria: [],
    scheduleStart: '',
    scheduleEnd: '',
    endBehavior: '',
    maintenanceWindows: [],
  };
}

export const newAbortRow = (): AbortRow => ({ failureType: 'ALL', action: 'CANCEL', thresholdPercentage: '', minNumberOfExecutedThings: '' });
export const newRetryRow = (): RetryRow => ({ failureType: 'FAILED', numberOfRetries: '' });
export const newMaintenanceWindowRow = (): MaintenanceWindowRow => ({ startTime: 'cron(0 22 ? * MON-FRI *)', durationInMinutes: '' });

/** Adds or removes a target, keeping the order in which targets were chosen. */
export function toggleTarget(list: readonly TargetRef[], target: TargetRef, on: boolean): TargetRef[] {
  const without = list.filter((t) => t.name !== target.name);
  return on ? [...without, target] : without;
}

export const replaceAt = <T>(list: readonly T[], index: number, item: T): T[] => list.map((x, i) => (i === index ? item : x));
export const removeAt = <T>(list: readonly T[], index: number): T[] => list.filter((_, i) => i !== index);

/**
 * The input names the form shows for `form` (each is a request member path), plus the section
 * members that hold them, so an error about any member finds a place on screen.
 */
export function fieldNames(form: CreateJobForm, parameterKeys: readonly string[]): Set<string> {
  const names = ['jobId', 'description', 'targets', 'targetSelection', 'jobExecutionsRolloutConfig', 'abortConfig', 'timeoutConfig', 'jobExecutionsRetryConfig', 'schedulingConfig'];
  if (form.documentMode === 'document') names.push('document');
  else names.push('jobTemplateArn', ...(parameterKeys.length > 0 ? ['documentParameters', ...parameterKeys.map((k) => `documentParameters.${k}`)] : []));
  const rollout = 'jobExecutionsRolloutConfig';
  if (form.rolloutMode !== 'none') names.push(`${rollout}.maximumPerMinute`);
  if (form.rolloutMode === 'exponential') {
    const rate = `${rollout}.exponentialRate`;
    names.push(rate, `${rate}.baseRatePerMinute`, `${rate}.incrementFactor`, `${rate}.rateIncreaseCriteria`, `${rate}.rateIncreaseCriteria.${form.rateIncreaseCriterion}`);
  }
  form.abortCriteria.forEach((_, i) => {
    const row = `abortConfig.criteriaList[${i}]`;
    names.push(row, `${row}.failureType`, `${row}.action`, `${row}.thresholdPercentage`, `${row}.minNumberOfExecutedThings`);
  });
  names.push('timeoutConfig.inProgressTimeoutInMinutes');
  form.retryCriteria.forEach((_, i) => {
    const row = `jobExecutionsRetryConfig.criteriaList[${i}]`;
    names.push(row, `${row}.failureType`, `${row}.numberOfRetries`);
  });
  names.push('schedulingConfig.startTime', 'schedulingConfig.endTime', 'schedulingConfig.endBehavior');
  form.maintenanceWindows.forEach((_, i) => {
    const row = `schedulingConfig.maintenanceWindows[${i}]`;
    names.push(row, `${row}.startTime`, `${row}.durationInMinutes`);
  });
  return new Set(names);
}
