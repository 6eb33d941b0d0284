/**
 * One execution as the job agent runs it: what start-next said about it, how far the device got,
 * and what the group's injected faults decided for it (issue 6). Pure: the agent does the I/O.
 */
import type { LedColor } from '../config/schema.js';
import type { ExecutionFate } from './faults.js';
import type { JobHandler, JobRun, Resume, StatusDetails, StepOutcome } from './handlers/handler.js';
import { selectHandler } from './handlers/index.js';
import { isRecord, type JsonRecord } from './json.js';

export type TerminalStatus = 'SUCCEEDED' | 'FAILED' | 'REJECTED';

export interface ActiveJob extends JobRun {
  /** Undefined when no handler takes the document (the run only sends REJECTED). */
  readonly handler: JobHandler | undefined;
  readonly updateTopic: string;
  /** expectedVersion of the next update; undefined when the service sent no versionNumber. */
  version: number | undefined;
  step: number;
  /** Replies carrying an older clientToken answer an earlier run. */
  readonly tokensFrom: number;
  /** clientToken of the newest update. */
  token: string;
  final: TerminalStatus | undefined;
  details: StatusDetails;
  /** What the group's faults decided for this execution, drawn when it first started: a resumed run keeps it. */
  readonly fate: ExecutionFate;
  /** An IN_PROGRESS update went out in this run: the device has taken the job. */
  took: boolean;
  /** Simulated ms when the injected crash is due; undefined when none is to come. */
  crashDue: number | undefined;
  /** The device already crashed over this execution: the resumed run completes it. */
  crashed: boolean;
  /** The handler's async work in flight; aborted (and its result ignored) when the run stops. */
  work: AbortController | undefined;
}

const NUMERIC = /^[0-9]+$/;

export const versionOf = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isInteger(v) ? v : typeof v === 'string' && NUMERIC.test(v) ? Number(v) : undefined;

/** The execution's statusDetails (string values only, as AWS stores them). */
export function detailsOf(exec: JsonRecord): StatusDetails {
  const out: StatusDetails = {};
  if (!isRecord(exec.statusDetails)) return out;
  for (const [k, v] of Object.entries(exec.statusDetails)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** Whether notify-next's head names the run's execution; a retry of the same job (it timed out) does not. */
export function namesRun(head: JsonRecord | undefined, job: ActiveJob): boolean {
  if (head?.jobId !== job.jobId) return false;
  return typeof head.executionNumber !== 'number' || job.executionNumber === undefined || head.executionNumber === job.executionNumber;
}

/** Where in the work an injected crash takes the device down, when the fate does not say. */
const DEFAULT_CRASH_AT = 0.5;

/** When the device crashes over this run: never twice for the same execution. */
export function crashDueFor(fate: ExecutionFate, stepMs: number, now: number, crashedBefore: boolean): number | undefined {
  if (fate.fault !== 'crash' || crashedBefore) return undefined;
  const at = fate.crashAt ?? DEFAULT_CRASH_AT;
  return now + Math.min(1, Math.max(0, at)) * stepMs;
}

/**
 * For runs bound to fail or hang: the first outcome only takes the job (an IN_PROGRESS update
 * with the handler's own details, where it has any), without the work, reboot or result the
 * handler asked for. What follows is the fault's: FAILED after one step, or silence.
 */
export function takeOnly(out: StepOutcome, stepMs: number): Extract<StepOutcome, { status: 'IN_PROGRESS' }> {
  switch (out.status) {
    case 'IN_PROGRESS':
      return out;
    case 'AWAIT':
    case 'REBOOT':
      return { status: 'IN_PROGRESS', statusDetails: out.statusDetails ?? { step: 'started' }, waitMs: stepMs };
    default:
      return { status: 'IN_PROGRESS', statusDetails: { step: 'started' }, waitMs: stepMs };
  }
}

const toError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));

/** Runs a handler's async work: resolves to its Resume, or to the error it failed with; never rejects. */
export function runWork(work: (signal: AbortSignal) => Promise<Resume>, signal: AbortSignal): Promise<Resume | Error> {
  try {
    return work(signal).catch(toError);
  } catch (e) {
    return Promise.resolve(toError(e));
  }
}

/** The reasons a device gives for injected faults. */
export const INJECTED = {
  reject: 'simulated rejection (injected fault)',
  fail: 'simulated failure (injected fault)',
} as const;

/** What starting a run needs besides the execution. */
export interface RunContext {
  /** `$aws/things/{thing}/jobs`. */
  prefix: string;
  /** The first clientToken this run's updates may carry. */
  tokensFrom: number;
  /** The LED colour now. */
  ledNow: LedColor;
  /** device.jobStepDuration. */
  jobStepMs: number;
  now: number;
  /** The group's faults' decision for an execution. */
  fateOf(jobId: string, executionNumber: number): ExecutionFate;
}

export interface RunStart {
  job: ActiveJob;
  /** The same execution as the agent's previous run (after a reconnect, reboot or crash): it was started already. */
  resumed: boolean;
  /** Why the device rejects the execution before changing anything; undefined when it runs. */
  rejection: string | undefined;
}

/** The run of `exec` (its jobId already checked); `prior` is the agent's previous run, kept while it was offline. */
export function startRun(exec: JsonRecord, jobId: string, prior: ActiveJob | undefined, c: RunContext): RunStart {
  const executionNumber = typeof exec.executionNumber === 'number' ? exec.executionNumber : undefined;
  const resumed = prior?.jobId === jobId && prior.executionNumber === executionNumber ? prior : undefined;
  const document = isRecord(exec.jobDocument) ? exec.jobDocument : undefined;
  const selection = document ? selectHandler(document) : undefined;
  const fate = resumed?.fate ?? c.fateOf(jobId, executionNumber ?? 1);
  const stepMs = fate.durationMs ?? c.jobStepMs;
  const crashed = resumed?.crashed === true;
  const job: ActiveJob = {
    jobId,
    executionNumber,
    document: document ?? {},
    ledBefore: resumed?.ledBefore ?? c.ledNow,
    details: detailsOf(exec),
    stepMs,
    handler: selection?.ok ? selection.value : undefined,
    updateTopic: prior?.jobId === jobId ? prior.updateTopic : `${c.prefix}/${jobId}/update`,
    version: versionOf(exec.versionNumber),
    step: 0,
    tokensFrom: c.tokensFrom,
    token: '',
    final: undefined,
    fate,
    took: false,
    crashDue: crashDueFor(fate, stepMs, c.now, crashed),
    crashed,
    work: undefined,
  };
  let rejection: string | undefined;
  if (fate.fault === 'reject') rejection = INJECTED.reject;
  else if (!selection) rejection = 'the job document is not a JSON object';
  else rejection = selection.ok ? selection.value.check(job.document) : selection.error;
  return { job, resumed: resumed !== undefined, rejection };
}
