/**
 * Job execution state machine (spec §1.3–1.4, §2): device updates, service transitions and
 * statusDetails validation. Pure: time arrives as `nowSec` (integer epoch seconds). Executions are
 * treated as immutable values; every accepted change returns a new object.
 */
import { err, ok, type Result } from '../../core/result.js';

export const JOB_EXECUTION_STATUSES = [
  'QUEUED',
  'IN_PROGRESS',
  'SUCCEEDED',
  'FAILED',
  'REJECTED',
  'TIMED_OUT',
  'REMOVED',
  'CANCELED',
] as const;

export type JobExecutionStatus = (typeof JOB_EXECUTION_STATUSES)[number];

/** Every status but the two pending ones is final (spec §2). */
export const TERMINAL_STATUSES: readonly JobExecutionStatus[] = JOB_EXECUTION_STATUSES.filter((s) => s !== 'QUEUED' && s !== 'IN_PROGRESS');

/** What a device may put in `status` of an update (spec §1.3). */
export const DEVICE_SETTABLE = ['IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'REJECTED'] as const;
export type DeviceSettableStatus = (typeof DEVICE_SETTABLE)[number];

/** Statuses only the service sets; a device asking for one is a bad request, not a bad transition. */
export type ServiceStatus = 'CANCELED' | 'TIMED_OUT' | 'REMOVED';

export const isJobExecutionStatus = (s: string): s is JobExecutionStatus =>
  (JOB_EXECUTION_STATUSES as readonly string[]).includes(s);

export const isTerminal = (s: JobExecutionStatus): boolean => TERMINAL_STATUSES.includes(s);

export const isDeviceSettable = (s: string): s is DeviceSettableStatus =>
  (DEVICE_SETTABLE as readonly string[]).includes(s);

/** Whether a job's retry config may spawn a new execution after this status (spec §4.4). */
export const isRetryable = (s: JobExecutionStatus): boolean => s === 'FAILED' || s === 'TIMED_OUT';

export interface JobExecution {
  readonly jobId: string;
  readonly thingName: string;
  readonly executionNumber: number;
  readonly status: JobExecutionStatus;
  readonly statusDetails: Readonly<Record<string, string>>;
  readonly queuedAt: number;
  /** Absent until the first IN_PROGRESS; a QUEUED → terminal jump never sets it. */
  readonly startedAt?: number;
  readonly lastUpdatedAt: number;
  readonly versionNumber: number;
  readonly retryAttempt: number;
  /** True once canceled with `force`. */
  readonly forceCanceled?: boolean;
  /**
   * Raw step-timer deadline (epoch s). The effective deadline is min(this, in-progress bound)
   * (spec §4.3); clamping belongs to whoever runs the timers, so it is not applied here.
   */
  readonly stepTimeoutAt?: number;
}

export type JobsErrorCode =
  | 'InvalidTopic'
  | 'InvalidJson'
  | 'InvalidRequest'
  | 'InvalidStateTransition'
  | 'ResourceNotFound'
  | 'VersionMismatch'
  | 'InternalError'
  | 'RequestThrottled'
  | 'TerminalStateReached';

/** The `executionState` block of accepted (includeJobExecutionState) and rejected payloads. */
export interface ExecutionState {
  status: JobExecutionStatus;
  statusDetails: Record<string, string>;
  versionNumber: number;
}

export interface JobsError {
  code: JobsErrorCode;
  message: string;
  /** Present exactly for InvalidStateTransition and VersionMismatch (spec §1.4). */
  executionState?: ExecutionState;
}

/** A parsed `{jobId}/update` request; numeric strings are already numbers (spec §1.2). */
export interface DeviceUpdateRequest {
  status: string;
  statusDetails?: Record<string, string>;
  expectedVersion?: number;
  stepTimeoutInMinutes?: number;
}

export const STEP_TIMEOUT_MIN_MINUTES = 1;
export const STEP_TIMEOUT_MAX_MINUTES = 10080;
/** `stepTimeoutInMinutes: -1` cancels the running step timer. */
export const STEP_TIMEOUT_CANCEL = -1;

export const STATUS_DETAILS_KEY_MAX = 128;
export const STATUS_DETAILS_VALUE_MAX = 1024;
/** Control-plane limit (spec §4.7); the device API states none (spec §1.3). */
export const CONTROL_PLANE_STATUS_DETAILS_MAX_ENTRIES = 10;

const STATUS_DETAILS_KEY = /^[a-zA-Z0-9:_-]+$/;
const CONTROL_CHAR = /\p{Cc}/u;

export const executionState = (exec: JobExecution): ExecutionState => ({
  status: exec.status,
  statusDetails: { ...exec.statusDetails },
  versionNumber: exec.versionNumber,
});

const invalidRequest = (message: string): JobsError => ({ code: 'InvalidRequest', message });

const invalidTransition = (exec: JobExecution, message: string): JobsError => ({
  code: 'InvalidStateTransition',
  message,
  executionState: executionState(exec),
});

export function newExecution(args: {
  jobId: string;
  thingName: string;
  executionNumber: number;
  retryAttempt: number;
  nowSec: number;
}): JobExecution {
  return {
    jobId: args.jobId,
    thingName: args.thingName,
    executionNumber: args.executionNumber,
    status: 'QUEUED',
    statusDetails: {},
    queuedAt: args.nowSec,
    lastUpdatedAt: args.nowSec,
    versionNumber: 1,
    retryAttempt: args.retryAttempt,
  };
}

/**
 * Applies a device's UpdateJobExecution. Checks run in this order, first failure wins:
 *
 * 1. InvalidRequest — the request is judged on its own before it is compared with stored state,
 *    so a malformed request gets the same answer whatever the execution's state.
 * 2. InvalidStateTransition — terminal execution, or `QUEUED` requested.
 * 3. VersionMismatch.
 *
 * (2) precedes (3) because every service change bumps versionNumber (§2): after a force-cancel a
 * device that sends `expectedVersion` necessarily holds a stale one, and §2/§10 #37 require
 * InvalidStateTransition there. Besides, VersionMismatch invites a retry that can never succeed.
 * Both codes carry `executionState`, so the device learns the current version either way.
 */
export function applyDeviceUpdate(
  exec: JobExecution,
  req: DeviceUpdateRequest,
  nowSec: number,
): Result<JobExecution, JobsError> {
  const status = req.status;
  if (!isJobExecutionStatus(status)) return err(invalidRequest(`Invalid status: ${JSON.stringify(status)}`));
  if (status !== 'QUEUED' && !isDeviceSettable(status)) {
    return err(invalidRequest(`Status ${status} can only be set by the service`));
  }
  let details: Record<string, string> | undefined;
  if (req.statusDetails !== undefined) {
    const checked = validateStatusDetails(req.statusDetails);
    if (!checked.ok) return checked;
    details = checked.value;
  }
  const step = req.stepTimeoutInMinutes;
  if (step !== undefined && !isValidStepTimeout(step)) {
    return err(
      invalidRequest(
        `stepTimeoutInMinutes must be ${STEP_TIMEOUT_CANCEL} or an integer ${STEP_TIMEOUT_MIN_MINUTES}-${STEP_TIMEOUT_MAX_MINUTES}`,
      ),
    );
  }
  if (req.expectedVersion !== undefined && !(Number.isSafeInteger(req.expectedVersion) && req.expectedVersion >= 0)) {
    return err(invalidRequest('expectedVersion must be a non-negative integer'));
  }

  if (isTerminal(exec.status)) {
    return err(invalidTransition(exec, `Job execution is in terminal state ${exec.status}`));
  }
  if (status === 'QUEUED') {
    return err(invalidTransition(exec, `Cannot transition from ${exec.status} to QUEUED`));
  }
  if (req.expectedVersion !== undefined && req.expectedVersion !== exec.versionNumber) {
    return err({
      code: 'VersionMismatch',
      message: `Expected version ${req.expectedVersion} but the current version is ${exec.versionNumber}`,
      executionState: executionState(exec),
    });
  }

  const { stepTimeoutAt, ...rest } = exec;
  let nextStep: number | undefined = stepTimeoutAt;
  // Timers stop at terminal status (§4.3), even if the same request asked for a new step timer.
  if (isTerminal(status) || step === STEP_TIMEOUT_CANCEL) nextStep = undefined;
  else if (step !== undefined) nextStep = nowSec + 60 * step;

  const next: JobExecution = {
    ...rest,
    status,
    // Given replaces the stored map, omitted keeps it (§1.3, unverified; §10 #19).
    statusDetails: details ?? exec.statusDetails,
    lastUpdatedAt: nowSec,
    versionNumber: exec.versionNumber + 1,
    ...(exec.status === 'QUEUED' && status === 'IN_PROGRESS' ? { startedAt: nowSec } : {}),
    ...(nextStep !== undefined ? { stepTimeoutAt: nextStep } : {}),
  };
  return ok(next);
}

function isValidStepTimeout(m: number): boolean {
  return m === STEP_TIMEOUT_CANCEL || (Number.isInteger(m) && m >= STEP_TIMEOUT_MIN_MINUTES && m <= STEP_TIMEOUT_MAX_MINUTES);
}

/**
 * A service-initiated change (spec §2): cancel, timer expiry, leaving a target group.
 * `force` is needed to cancel an IN_PROGRESS execution; `statusDetails` (CancelJobExecution's
 * field, validate with the control-plane limit first) replaces the stored map.
 */
export function applyServiceTransition(
  exec: JobExecution,
  to: ServiceStatus,
  nowSec: number,
  opts: { force?: boolean; statusDetails?: Record<string, string> } = {},
): Result<JobExecution, JobsError> {
  const force = opts.force === true;
  if (isTerminal(exec.status)) {
    return err(invalidTransition(exec, `Job execution is in terminal state ${exec.status}`));
  }
  const allowed =
    to === 'REMOVED' ||
    (to === 'CANCELED' && (exec.status === 'QUEUED' || force)) ||
    (to === 'TIMED_OUT' && exec.status === 'IN_PROGRESS');
  if (!allowed) {
    const hint = to === 'CANCELED' ? ' without force' : '';
    return err(invalidTransition(exec, `Cannot transition from ${exec.status} to ${to}${hint}`));
  }

  const { stepTimeoutAt: _stopped, ...rest } = exec;
  return ok({
    ...rest,
    status: to,
    statusDetails: opts.statusDetails !== undefined ? { ...opts.statusDetails } : exec.statusDetails,
    lastUpdatedAt: nowSec,
    // Version bump on service changes is unverified (§2); implemented as specified.
    versionNumber: exec.versionNumber + 1,
    // AWS documents forceCanceled as "canceled with force=true", so it holds for QUEUED too.
    ...(to === 'CANCELED' && force ? { forceCanceled: true } : {}),
  });
}

/**
 * Validates a `statusDetails` map (spec §1.3): keys 1–128 of `[a-zA-Z0-9:_-]`, values strings of
 * 1–1024 code points without control characters. The device API sets no entry limit; pass
 * `maxEntries: CONTROL_PLANE_STATUS_DETAILS_MAX_ENTRIES` for the control plane (§4.7). Returns a
 * fresh copy so callers never store the request's object.
 */
export function validateStatusDetails(
  v: unknown,
  opts: { maxEntries?: number } = {},
): Result<Record<string, string>, JobsError> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    return err(invalidRequest('statusDetails must be an object of string values'));
  }
  const entries = Object.entries(v as Record<string, unknown>);
  if (opts.maxEntries !== undefined && entries.length > opts.maxEntries) {
    return err(invalidRequest(`statusDetails may hold at most ${opts.maxEntries} entries`));
  }
  for (const [key, value] of entries) {
    if (key.length > STATUS_DETAILS_KEY_MAX || !STATUS_DETAILS_KEY.test(key)) {
      return err(invalidRequest(`Invalid statusDetails key: ${JSON.stringify(key)}`));
    }
    if (typeof value !== 'string') {
      return err(invalidRequest(`statusDetails.${key} must be a string`));
    }
    // Lengths count code points, as Smithy's length trait does, not UTF-16 units.
    const length = [...value].length;
    if (length < 1 || length > STATUS_DETAILS_VALUE_MAX || CONTROL_CHAR.test(value)) {
      return err(invalidRequest(`Invalid statusDetails value for key ${key}`));
    }
  }
  // fromEntries defines own properties, so a "__proto__" key (valid by the pattern) stays data.
  return ok(Object.fromEntries(entries as [string, string][]));
}
