/**
 * Device-side Jobs MQTT requests (spec §1.1–1.4, §1.6): which API a published topic addresses,
 * the typed request its payload carries, and the `rejected` payload sent back. Everything that can
 * be judged from the topic and payload alone is judged here, so the service only compares
 * requests with stored executions. Pure: time arrives as `nowSec`.
 */
import { err, ok, type Result } from '../../core/result.js';
import {
  STEP_TIMEOUT_CANCEL,
  STEP_TIMEOUT_MAX_MINUTES,
  STEP_TIMEOUT_MIN_MINUTES,
  validateStatusDetails,
  type DeviceUpdateRequest,
  type ExecutionState,
  type JobsError,
} from './executions.js';

/** A rejection, carrying the request's clientToken whenever it could be read so it can be echoed (§1.2, §10 #1). */
export type JobsRequestError = JobsError & { clientToken?: string };

export type JobsTopic =
  | { thing: string; op: 'get' }
  | { thing: string; op: 'start-next' }
  /** `jobId` may be literally `$next` (§1.1). */
  | { thing: string; op: 'describe'; jobId: string }
  | { thing: string; op: 'update'; jobId: string }
  /** Under `P/` but no API: answer `InvalidTopic` on `<topic>/rejected` (§1.4, unverified). */
  | { thing: string; op: 'invalid' };

export interface GetPendingRequest {
  clientToken?: string;
}

export interface StartNextRequest {
  clientToken?: string;
  statusDetails?: Record<string, string>;
  stepTimeoutInMinutes?: number;
}

export interface DescribeRequest {
  clientToken?: string;
  /** Absent = latest execution (§1.3). */
  executionNumber?: number;
  includeJobDocument: boolean;
}

export interface UpdateRequest extends DeviceUpdateRequest {
  clientToken?: string;
  /** Absent = latest execution (§1.3). */
  executionNumber?: number;
  includeJobExecutionState: boolean;
  includeJobDocument: boolean;
}

export interface RejectedPayload {
  code: string;
  message: string;
  clientToken?: string;
  timestamp: number;
  executionState?: ExecutionState;
}

export const NEXT_JOB_ID = '$next';

const THING_NAME = /^[a-zA-Z0-9:_-]{1,128}$/;
const JOB_ID = /^[a-zA-Z0-9_-]{1,64}$/;
/** Only plain decimal integers count as numeric strings: what v1 Python's `str(int)` produces (§1.6). */
const NUMERIC_STRING = /^-?[0-9]+$/;

const decoder = new TextDecoder('utf-8', { fatal: true });

type Body = Record<string, unknown>;

/**
 * Classifies a published topic. Undefined for anything outside `$aws/things/{thing}/jobs/` (incl.
 * an impossible thing name) and for the topics the service itself publishes: every
 * `…/accepted`/`…/rejected` (so answering an invalid topic on `<topic>/rejected` can never loop
 * back as a request), `notify`, `notify-next` and `{jobId}/notify-namespace-…`. The caller checks
 * that `thing` is the publishing client's own thing.
 */
export function parseJobsTopic(topic: string): JobsTopic | undefined {
  const levels = topic.split('/');
  if (levels.length < 5 || levels[0] !== '$aws' || levels[1] !== 'things' || levels[3] !== 'jobs') return undefined;
  const thing = levels[2] ?? '';
  if (!THING_NAME.test(thing)) return undefined;
  const rest = levels.slice(4);
  const last = rest[rest.length - 1];
  if (last === 'accepted' || last === 'rejected') return undefined;
  if (rest.length === 1 && (rest[0] === 'notify' || rest[0] === 'notify-next')) return undefined;
  if (rest.length >= 2 && (rest[1] ?? '').startsWith('notify-namespace-')) return undefined;

  if (rest.length === 1 && rest[0] === 'get') return { thing, op: 'get' };
  if (rest.length === 1 && rest[0] === 'start-next') return { thing, op: 'start-next' };
  if (rest.length === 2) {
    const [jobId = '', action] = rest;
    // `$next` names "whatever start-next would pick" for reading only; updates need a real job.
    if (action === 'get' && (jobId === NEXT_JOB_ID || JOB_ID.test(jobId))) return { thing, op: 'describe', jobId };
    if (action === 'update' && JOB_ID.test(jobId)) return { thing, op: 'update', jobId };
  }
  return { thing, op: 'invalid' };
}

/** The error for an `invalid` topic, to send on `<topic>/rejected` (with the payload's clientToken, if it has one). */
export function invalidTopicError(topic: string): JobsError {
  return { code: 'InvalidTopic', message: `Topic ${topic} does not match any Jobs API` };
}

/** GetPendingJobExecutions: `{clientToken?}`; an empty payload means `{}` (§1.3, unverified). */
export function parseGetPending(payload: Uint8Array): Result<GetPendingRequest, JobsRequestError> {
  const env = parseEnvelope(payload, true);
  if (!env.ok) return env;
  return ok(withToken({}, env.value.clientToken));
}

/** StartNextPendingJobExecution: `{clientToken?, statusDetails?, stepTimeoutInMinutes? (1–10080)}`. */
export function parseStartNext(payload: Uint8Array): Result<StartNextRequest, JobsRequestError> {
  const env = parseEnvelope(payload, true);
  if (!env.ok) return env;
  const { body, clientToken } = env.value;
  const request: StartNextRequest = withToken({}, clientToken);

  const details = readStatusDetails(body, clientToken);
  if (!details.ok) return details;
  if (details.value !== undefined) request.statusDetails = details.value;
  // No −1 here: start-next has no running timer of its own to cancel (§1.3 gives only 1–10080).
  const step = readStepTimeout(body, false, clientToken);
  if (!step.ok) return step;
  if (step.value !== undefined) request.stepTimeoutInMinutes = step.value;
  return ok(request);
}

/** DescribeJobExecution: `{clientToken?, executionNumber?, includeJobDocument (default true)}`. */
export function parseDescribe(payload: Uint8Array): Result<DescribeRequest, JobsRequestError> {
  const env = parseEnvelope(payload, true);
  if (!env.ok) return env;
  const { body, clientToken } = env.value;

  const executionNumber = readInteger(body, 'executionNumber', clientToken);
  if (!executionNumber.ok) return executionNumber;
  const includeJobDocument = readBoolean(body, 'includeJobDocument', true, clientToken);
  if (!includeJobDocument.ok) return includeJobDocument;

  const request: DescribeRequest = withToken({ includeJobDocument: includeJobDocument.value }, clientToken);
  if (executionNumber.value !== undefined) request.executionNumber = executionNumber.value;
  return ok(request);
}

/**
 * UpdateJobExecution. Only the shape is checked for `status`: whether it names a status the device
 * may set is `applyDeviceUpdate`'s call, because `QUEUED` is an InvalidStateTransition that must
 * lose to the terminal-state check there (§1.4). An empty payload is InvalidJson: unlike the
 * read-only operations, update has a required field, and `{}` is not what the device meant.
 */
export function parseUpdate(payload: Uint8Array): Result<UpdateRequest, JobsRequestError> {
  const env = parseEnvelope(payload, false);
  if (!env.ok) return env;
  const { body, clientToken } = env.value;

  const status = field(body, 'status');
  if (status === undefined) return invalidRequest('Missing required field: status', clientToken);
  if (typeof status !== 'string') return invalidRequest('status must be a string', clientToken);

  const details = readStatusDetails(body, clientToken);
  if (!details.ok) return details;
  const expectedVersion = readInteger(body, 'expectedVersion', clientToken);
  if (!expectedVersion.ok) return expectedVersion;
  const executionNumber = readInteger(body, 'executionNumber', clientToken);
  if (!executionNumber.ok) return executionNumber;
  const includeState = readBoolean(body, 'includeJobExecutionState', false, clientToken);
  if (!includeState.ok) return includeState;
  const includeDocument = readBoolean(body, 'includeJobDocument', false, clientToken);
  if (!includeDocument.ok) return includeDocument;
  const step = readStepTimeout(body, true, clientToken);
  if (!step.ok) return step;

  const request: UpdateRequest = withToken(
    { status, includeJobExecutionState: includeState.value, includeJobDocument: includeDocument.value },
    clientToken,
  );
  if (details.value !== undefined) request.statusDetails = details.value;
  if (expectedVersion.value !== undefined) request.expectedVersion = expectedVersion.value;
  if (executionNumber.value !== undefined) request.executionNumber = executionNumber.value;
  if (step.value !== undefined) request.stepTimeoutInMinutes = step.value;
  return ok(request);
}

/**
 * The `…/rejected` payload (§1.4). `clientToken` defaults to the one the error carries, so parse
 * errors can be passed straight through; state-machine errors need the request's token passed in.
 * `executionState` appears only when the error has one (InvalidStateTransition, VersionMismatch).
 */
export function rejectedPayload(error: JobsRequestError, nowSec: number, clientToken?: string): RejectedPayload {
  const token = clientToken ?? error.clientToken;
  const s = error.executionState;
  // Key order follows §1.4's example; timestamp is integer epoch seconds (§1.2, §10 #2) whatever
  // precision the caller's clock has.
  return {
    code: error.code,
    message: error.message,
    ...(token !== undefined ? { clientToken: token } : {}),
    timestamp: Math.floor(nowSec),
    ...(s !== undefined
      ? { executionState: { status: s.status, statusDetails: { ...s.statusDetails }, versionNumber: s.versionNumber } }
      : {}),
  };
}

/**
 * The payload as a JSON object. Whitespace-only counts as empty, as in the shadow service; an
 * empty payload is `{}` only where `allowEmpty` (operations without required fields).
 */
function parseBody(payload: Uint8Array, allowEmpty: boolean): Result<Body, JobsRequestError> {
  let text: string;
  try {
    text = decoder.decode(payload);
  } catch {
    return err({ code: 'InvalidJson', message: 'Payload is not valid UTF-8' });
  }
  if (text.trim() === '') {
    return allowEmpty ? ok({}) : err({ code: 'InvalidJson', message: 'Payload is empty' });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return err({ code: 'InvalidJson', message: 'Payload is not valid JSON' });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return err({ code: 'InvalidJson', message: 'Payload must be a JSON object' });
  }
  return ok(parsed as Body);
}

/**
 * An own field's value; `null` counts as absent, as AWS's JSON deserializers treat it. Own only,
 * so a body without `status` never picks up a `constructor` or `toString` from the prototype.
 */
function field(body: Body, key: string): unknown {
  if (!Object.hasOwn(body, key)) return undefined;
  return body[key] ?? undefined;
}

/**
 * Read before anything else so every later rejection can echo it. Any string is accepted: the
 * spec sets no length for Jobs tokens (only the shadow's 64 bytes, §8.2), and it must come back
 * byte-for-byte. A non-string cannot be echoed, so it is rejected without one.
 */
/** The JSON object of a request and its clientToken: the first two checks every request gets. */
function parseEnvelope(payload: Uint8Array, allowEmpty: boolean): Result<{ body: Body; clientToken: string | undefined }, JobsRequestError> {
  const body = parseBody(payload, allowEmpty);
  if (!body.ok) return body;
  const token = readClientToken(body.value);
  if (!token.ok) return token;
  return ok({ body: body.value, clientToken: token.value });
}

function readClientToken(body: Body): Result<string | undefined, JobsRequestError> {
  const token = field(body, 'clientToken');
  if (token === undefined || typeof token === 'string') return ok(token);
  return invalidRequest('clientToken must be a string', undefined);
}

function readStatusDetails(body: Body, clientToken: string | undefined): Result<Record<string, string> | undefined, JobsRequestError> {
  const value = field(body, 'statusDetails');
  if (value === undefined) return ok(undefined);
  // Device API: no entry cap (§1.3); the control plane's 10 (§4.7) does not apply.
  const checked = validateStatusDetails(value);
  return checked.ok ? checked : err(withToken({ ...checked.error }, clientToken));
}

/**
 * A non-negative integer given as a JSON number or a decimal string (§1.2: v1 Python sends
 * `"expectedVersion":"2"`). Negative values never name a version or an execution.
 */
function readInteger(body: Body, key: string, clientToken: string | undefined): Result<number | undefined, JobsRequestError> {
  const value = field(body, key);
  if (value === undefined) return ok(undefined);
  const n = toInteger(value);
  if (n === undefined || n < 0) return invalidRequest(`${key} must be a non-negative integer`, clientToken);
  return ok(n);
}

/** 1–10080, plus −1 (cancel the step timer) on update only (§1.3). */
function readStepTimeout(body: Body, allowCancel: boolean, clientToken: string | undefined): Result<number | undefined, JobsRequestError> {
  const value = field(body, 'stepTimeoutInMinutes');
  if (value === undefined) return ok(undefined);
  const n = toInteger(value);
  const inRange = n !== undefined && n >= STEP_TIMEOUT_MIN_MINUTES && n <= STEP_TIMEOUT_MAX_MINUTES;
  if (inRange || (allowCancel && n === STEP_TIMEOUT_CANCEL)) return ok(n);
  const allowed = `${allowCancel ? `${STEP_TIMEOUT_CANCEL} or ` : ''}an integer ${STEP_TIMEOUT_MIN_MINUTES}-${STEP_TIMEOUT_MAX_MINUTES}`;
  return invalidRequest(`stepTimeoutInMinutes must be ${allowed}`, clientToken);
}

/**
 * Booleans must be JSON booleans: §1.2 grants string leniency to the three numeric fields only,
 * and every SDK we accept (v1 Python/JS, v2) serializes these flags as real booleans.
 */
function readBoolean(body: Body, key: string, fallback: boolean, clientToken: string | undefined): Result<boolean, JobsRequestError> {
  const value = field(body, key);
  if (value === undefined) return ok(fallback);
  if (typeof value === 'boolean') return ok(value);
  return invalidRequest(`${key} must be a boolean`, clientToken);
}

function toInteger(value: unknown): number | undefined {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && NUMERIC_STRING.test(value)) n = Number(value);
  else return undefined;
  if (!Number.isSafeInteger(n)) return undefined;
  // "-0" and -0 are plain 0: a negative zero would survive into stored state and comparisons' output.
  return n === 0 ? 0 : n;
}

function withToken<T extends object>(value: T, clientToken: string | undefined): T & { clientToken?: string } {
  return clientToken === undefined ? value : { ...value, clientToken };
}

function invalidRequest(message: string, clientToken: string | undefined): { ok: false; error: JobsRequestError } {
  return err(withToken<JobsError>({ code: 'InvalidRequest', message }, clientToken));
}
